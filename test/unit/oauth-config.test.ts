import { describe, expect, it } from 'vitest';
import { at, FILE, parseOk, problemsOf } from '../support/config-text.js';

const ENV = { GOOGLE_CLIENT_SECRET: 'g-secret', GOOGLE_REFRESH_TOKEN: 'g-refresh', MS_REFRESH_TOKEN: 'm-refresh', IMAP_PASSWORD: 'pw' };

/** One mailbox whose imap block is `imap`, plus `more` lines inside the mailbox. */
const mailbox = (imap: readonly string[], more: readonly string[] = []) => [
  'mailboxes:',
  '  - name: support',
  '    address: support@example.test',
  '    imap:',
  '      host: imap.gmail.com',
  '      user: support@example.test',
  ...imap.map((l) => `      ${l}`),
  ...more.map((l) => `    ${l}`),
];

const GOOGLE = [
  'auth:',
  '  type: oauth2',
  '  provider: google',
  '  clientId: 1234.apps.googleusercontent.com',
  '  clientSecret: ${GOOGLE_CLIENT_SECRET}',
  '  refreshToken: ${GOOGLE_REFRESH_TOKEN}',
];

describe('config: imap.auth (OAuth2)', () => {
  it('reads a Google block, secrets from the environment, with the token endpoint by default', () => {
    const config = parseOk(mailbox(GOOGLE), ENV);
    expect(config.mailboxes[0]!.imap).toMatchObject({
      password: null,
      auth: {
        type: 'oauth2',
        provider: 'google',
        clientId: '1234.apps.googleusercontent.com',
        clientSecret: 'g-secret',
        refreshToken: 'g-refresh',
        tokenUrl: 'https://oauth2.googleapis.com/token',
      },
    });
  });

  it('defaults Microsoft to the common v2.0 endpoint, lets a tenant name its own, and needs no secret (public client)', () => {
    const ms = ['auth: { type: oauth2, provider: microsoft, clientId: app-id, refreshToken: ${MS_REFRESH_TOKEN} }'];
    expect(parseOk(mailbox(ms), ENV).mailboxes[0]!.imap.auth).toEqual({
      type: 'oauth2',
      provider: 'microsoft',
      clientId: 'app-id',
      clientSecret: null,
      refreshToken: 'm-refresh',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    });
    const tenant = ['auth: { type: oauth2, provider: microsoft, clientId: app-id, refreshToken: ${MS_REFRESH_TOKEN}, tokenUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", scope: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access" }'];
    expect(parseOk(mailbox(tenant), ENV).mailboxes[0]!.imap.auth).toMatchObject({
      tokenUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      scope: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
    });
  });

  it('a custom provider must name its token endpoint', () => {
    const lines = mailbox(['auth: { type: oauth2, provider: custom, clientId: c, refreshToken: ${MS_REFRESH_TOKEN} }']);
    expect(problemsOf(lines, ENV)).toEqual([
      { file: FILE, ...at(lines, '{', 'auth:'), key: 'mailboxes[0].imap.auth.tokenUrl', message: 'is required with provider: custom (the token endpoint of your identity provider)' },
    ]);
  });

  it('clientSecret and refreshToken must come from the environment; tokenUrl is no secret', () => {
    const lines = mailbox([
      'auth:',
      '  type: oauth2',
      '  provider: custom',
      '  clientId: c',
      '  clientSecret: written-here',
      '  refreshToken: also-written-here',
      '  tokenUrl: https://id.example.test/token',
    ]);
    expect(problemsOf(lines, ENV)).toEqual([
      { file: FILE, ...at(lines, 'written-here', 'clientSecret'), key: 'mailboxes[0].imap.auth.clientSecret', message: 'secrets must come from the environment: write ${VARIABLE_NAME}' },
      { file: FILE, ...at(lines, 'also-written-here'), key: 'mailboxes[0].imap.auth.refreshToken', message: 'secrets must come from the environment: write ${VARIABLE_NAME}' },
    ]);
  });

  it('password and auth are mutually exclusive, in imap and in smtp', () => {
    const lines = mailbox(['password: ${IMAP_PASSWORD}', ...GOOGLE], ['smtp: { host: smtp.gmail.com, password: ${IMAP_PASSWORD}, auth: { type: oauth2, provider: google, clientId: x, refreshToken: ${GOOGLE_REFRESH_TOKEN} } }']);
    const message = 'password and auth (OAuth2) are mutually exclusive: remove one';
    expect(problemsOf(lines, ENV)).toEqual([
      { file: FILE, ...at(lines, '${IMAP_PASSWORD}', 'password:'), key: 'mailboxes[0].imap.password', message },
      { file: FILE, ...at(lines, '${IMAP_PASSWORD}', 'smtp:'), key: 'mailboxes[0].smtp.password', message },
    ]);
  });

  it('rejects an unknown auth type or provider', () => {
    const lines = mailbox(['auth: { type: basic, provider: yahoo, clientId: c, refreshToken: ${GOOGLE_REFRESH_TOKEN} }']);
    const keys = problemsOf(lines, ENV).map((p) => p.key);
    expect(keys).toEqual(['mailboxes[0].imap.auth.type', 'mailboxes[0].imap.auth.provider']);
  });

  it('smtp.auth takes the same block: a YAML anchor writes it once', () => {
    const lines = mailbox(
      ['auth: &google', ...GOOGLE.slice(1)],
      ['smtp: { host: smtp.gmail.com, port: 465, secure: true, auth: *google }'],
    );
    const { imap, smtp } = parseOk(lines, ENV).mailboxes[0]!;
    expect(smtp!.auth).toEqual(imap.auth);
    expect(smtp!.user).toBeNull(); // the mailbox's imap.user signs in
  });
});
