// Throwaway TLS material for tests that run oatd (and the registry) over HTTPS: a certificate
// authority of the test's own and server certificates it signs, made with the openssl command
// in a test's folder. Nothing here is trusted outside the test that made it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runOk } from './processes.mjs';

const OPENSSL = process.env.OPENSSL ?? 'openssl';

/** A new certificate authority in DIR: {certFile, keyFile, pem}. */
export async function makeCertificateAuthority(dir, name = 'OAT test CA') {
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca.key');
  await runOk(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { certFile, keyFile, pem: readFileSync(certFile, 'utf8') };
}

/**
 * A server certificate signed by CA for 127.0.0.1 and localhost, as DIR/NAME.pem with its key
 * DIR/NAME.key: {certFile, keyFile, pem, serial} (serial: upper-case hex, as node's
 * getPeerCertificate() gives it).
 */
export async function issueServerCertificate(ca, dir, name = 'server') {
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  await runOk(OPENSSL, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${name}`]);
  writeFileSync(extFile, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' +
    'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  await runOk(OPENSSL, ['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extFile]);
  const serial = (await runOk(OPENSSL, ['x509', '-in', certFile, '-noout', '-serial'])).stdout
    .trim().replace(/^serial=/, '').toUpperCase();
  return { certFile, keyFile, pem: readFileSync(certFile, 'utf8'), serial };
}
