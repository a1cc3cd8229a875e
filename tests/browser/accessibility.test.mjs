// The console as assistive technology gets it (web/src/semantics.h): axe-core (npm) finds no
// serious or critical violation on any screen, and the accessibility tree of the tokens page,
// the generate dialog and the activity page is what a screen reader should read (ARIA snapshots,
// with ids and dates written as <id> and <date>).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { consoleTest, useConsole } from './harness.mjs';

const require = createRequire(import.meta.url);
const world = useConsole(import.meta.url);

// What a screen reader gets (ariaSnapshot of playwright-core), checked by eye once and kept. Every
// page of an organization starts with the top bar and the views.
const TOP = `- main:
  - status
  - heading "OAT Console" [level=2]
  - 'button "Organization: bizco"'
  - button "Sign out"
  - text: Signed in as owner
  - button "Light theme"
  - navigation "Views":
    - link "Access tokens":
      - /url: "#/orgs/bizco/tokens"
    - link "Activity":
      - /url: "#/orgs/bizco/activity"
    - link "Token policy":
      - /url: "#/orgs/bizco/policy"
    - link "CI sign-in":
      - /url: "#/orgs/bizco/ci-sign-in"
`;

const TOKENS_PAGE = `${TOP}  - heading "Access tokens" [level=2]
  - text: "Tokens that belong to bizco, not to a person: for CI and deploy jobs that push and pull its images."
  - button "Generate token"
  - button "Reload the list"
  - textbox "Filter by label, description or creator"
  - tablist:
    - tab "All (1)" [selected]
    - tab "Active (1)"
    - tab "Inactive (0)"
    - tab "Expired (0)"
  - table "Access tokens":
    - row "Label Status Created by Created Last used Expires Actions":
      - columnheader "Label"
      - columnheader "Status"
      - columnheader "Created by"
      - columnheader "Created"
      - columnheader "Last used"
      - columnheader "Expires"
      - columnheader "Actions"
    - row "deploy-bot":
      - cell "deploy-bot":
        - link "deploy-bot":
          - /url: "#/orgs/bizco/tokens/<id>"
      - cell "Active"
      - cell "owner"
      - cell "<date>"
      - cell "Never"
      - cell "Never"
      - cell "Actions for deploy-bot":
        - button "Actions for deploy-bot"
  - text: Showing 1 of 1 token`;

const GENERATE_DIALOG = `- dialog "Generate an access token":
  - heading "Generate an access token" [level=2]
  - button "Close (Esc)"
  - text: Label
  - textbox "Label":
    - /placeholder: "What uses it, e.g. \\"GitHub Actions: deploy\\""
  - text: Description optional 0/200
  - textbox "Description":
    - /placeholder: Where it runs, who to ask about it
  - text: Expiration
  - tablist "Expiration":
    - tab "30 days"
    - tab "90 days"
    - tab "Custom"
    - tab "No expiration" [selected]
  - text: Never expires. You can deactivate or delete it at any time. Repository access 0 of 50 Choose at least one repository or organization resource.
  - checkbox "Read public repositories"
  - text: Pull any public image (*/*/public)
  - checkbox "All bizco repositories"
  - text: Every repository of bizco, also those created later (bizco/*)
  - button "Add repository"
  - text: Allowed addresses optional Any address
  - textbox "Allowed addresses":
    - /placeholder: One address or block a line, e.g. 192.0.2.0/24 or 2001:db8::/32
  - text: Sign-ins from any other address are refused. Leave it empty to allow every address.
  - checkbox "Allow this token to rotate itself"
  - text: A job holding it can then replace its secret itself, without an owner (POST /v2/access-tokens/self/rotate).
  - button "Generate token" [disabled]
  - button "Cancel"`;

const ACTIVITY_PAGE = `${TOP}  - heading "Activity" [level=2]
  - text: What happened to bizco's access tokens, and who did it, newest first.
  - button "Reload the log"
  - text: Registry use No use in the last 30 days
  - 'button "Action: All actions"'
  - table "Activity":
    - row "Time Action Token Actor Details":
      - columnheader "Time"
      - columnheader "Action"
      - columnheader "Token"
      - columnheader "Actor"
      - columnheader "Details"
    - row "just now Access token created deploy-bot owner bizco/app · never expires":
      - cell "just now"
      - cell "Access token created"
      - cell "deploy-bot"
      - cell "owner"
      - cell "bizco/app · never expires"
  - text: Showing 1 of 1 event`;

/** axe-core's violations on the page as it is; fails on any serious or critical one. */
async function noSeriousViolation(c, where) {
  await c.page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await c.page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const said = result.violations.map((v) => `${v.impact} ${v.id} (${v.help}): ` +
    v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160)).join(' | '));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(bad.length, 0, `${where}: axe-core finds\n  ${said.join('\n  ')}`);
}

/** LOCATOR's ARIA snapshot, with ids and dates in placeholders. */
async function snapshot(locator) {
  return (await locator.ariaSnapshot())
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b/g, '<date>');
}

consoleTest(world, 'no serious or critical axe-core violation on any screen', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'checked-by-axe' });
  await c.waitForWidget('signin.username');
  await noSeriousViolation(c, 'the sign-in');
  await c.signIn('owner', { org: 'acme' });
  await noSeriousViolation(c, 'the tokens page');
  await c.openGenerate();
  await noSeriousViolation(c, 'the generate dialog');
  await c.click('generate.close');
  await c.waitForStatus((s) => !s.dialog, 'the dialog closed');
  await c.click('tokens.row.0');
  await c.waitForWidget('details.close');
  await noSeriousViolation(c, 'a token\'s details');
  await c.click('details.close');
  await c.click('nav.activity');
  await c.waitIdle('activity');
  await noSeriousViolation(c, 'the activity page');
});

consoleTest(world, 'the tokens page, the generate dialog and the activity page read as they should', async (c) => {
  await world.server.createToken('bizco', world.bearer, { label: 'deploy-bot', description: 'Pushes releases' });
  await c.signIn('owner', { org: 'acme' });
  await c.selectOrg('bizco');
  await c.waitFrames(3);
  assert.equal(await snapshot(c.page.getByRole('main')), TOKENS_PAGE);
  await c.openGenerate();
  await c.waitFrames(3);
  assert.equal(await snapshot(c.page.getByRole('dialog')), GENERATE_DIALOG);
  await c.click('generate.close');
  await c.waitForStatus((s) => !s.dialog, 'the dialog closed');
  await c.click('nav.activity');
  await c.waitIdle('activity');
  await c.waitFrames(3);
  assert.equal(await snapshot(c.page.getByRole('main')), ACTIVITY_PAGE);
});
