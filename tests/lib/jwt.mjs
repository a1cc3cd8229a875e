// JWTs as the tests read and forge them: oatd's bearers (management API) and the registry
// tokens of its token service are both ES256 JWTs.
import crypto from 'node:crypto';

/** HEADER and PAYLOAD decoded; SIGNATURE (base64url) and SIGNED, the text it signs. */
export function decodeJwt(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const part = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return { header: part(header), payload: part(payload), signature, signed: `${header}.${payload}` };
}

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ES256 JWT over HEADER and PAYLOAD signed with the PEM private key KEY. */
export function signJwt(key, header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A JWT with the given header and payload and no signature (the "alg":"none" form). */
export function unsignedJwt(header, payload) {
  return `${b64url(header)}.${b64url(payload)}.`;
}
