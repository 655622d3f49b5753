import { createTestApp, useTestApp } from '../support/test-app.js';
import { ADMIN_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';

const admin = { key: ADMIN_KEY };

describe('Users', () => {
  const t = useTestApp();
  const run = runId();

  describe('POST /users', () => {
    it('creates an active user with an admin key (201)', async () => {
      const res = await t.api.post('/users', { name: 'Zed Operator', email: `Zed.${run}@Example.com` }, admin);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'Zed Operator',
        email: `Zed.${run}@Example.com`,
        active: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('answers 403 to an integration key', async () => {
      const res = await t.api.post('/users', { name: 'Nope' });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
    });

    it('answers 401 without a key', async () => {
      expect((await t.api.post('/users', { name: 'Nope' }, { key: null })).status).toBe(401);
    });

    it('answers 409 when another user has the email, whatever its case', async () => {
      await t.api.post('/users', { name: 'First', email: `dup.${run}@example.com` }, admin);
      const res = await t.api.post('/users', { name: 'Second', email: `DUP.${run}@EXAMPLE.COM` }, admin);
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('conflict');
    });

    it.each([
      ['no name', { email: 'a@example.com' }],
      ['an empty name', { name: '' }],
      ['a name over 255 characters', { name: 'n'.repeat(256) }],
      ['an invalid email', { name: 'A', email: 'not-an-email' }],
      ['an email that is not ASCII (the contract says format: email)', { name: 'A', email: 'josé@example.com' }],
      ['an unknown key', { name: 'A', role: 'admin' }],
    ])('answers 400 to %s', async (_, body) => {
      const res = await t.api.post('/users', body, admin);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
    });

    it.each([
      ['no name', { email: 'a@example.com' }, 'name is required: send text of 1 to 255 characters.'],
      ['an empty name', { name: '' }, 'name must be text of 1 to 255 characters (got 0 characters).'],
      // The address itself is never repeated: an email is kept out of answers as out of logs.
      ['a bad email', { name: 'A', email: 'not-an-email' }, 'email must be an ASCII email address of at most 320 characters.'],
      ['an unknown key', { name: 'A', role: 'admin' }, 'role is not a field of this body; the fields are name, email.'],
      [
        'several problems, one sentence each',
        { name: 7, email: null, role: 'admin' },
        'name must be text of 1 to 255 characters (got 7). email must be an ASCII email address of at most 320 characters (got null). ' +
          'role is not a field of this body; the fields are name, email.',
      ],
      ['an array', [{ name: 'A' }], 'The body must be a JSON object with the fields name, email.'],
    ])('words the 400 for %s as one sentence per field', async (_, body, message) => {
      const res = await t.api.post('/users', body, admin);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'bad_request', message });
    });

    it('answers 415 to a body that is not JSON', async () => {
      const res = await t.api.request('POST', '/users', { raw: 'name=A', contentType: 'text/plain', key: ADMIN_KEY });
      expect(res.status).toBe(415);
    });
  });

  describe('GET /users/{id} and PATCH /users/{id}', () => {
    let id: string;
    beforeAll(async () => {
      id = (await t.api.post('/users', { name: 'Pat Patch', email: `pat.${run}@example.com` }, admin)).body.id;
    });

    it('reads a user with any valid key', async () => {
      const res = await t.api.get(`/users/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Pat Patch');
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await t.api.get('/users/0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d90')).status).toBe(404);
      expect((await t.api.get('/users/abc')).status).toBe(400);
      expect((await t.api.patch('/users/0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d90', { name: 'X' }, admin)).status).toBe(404);
    });

    it('renames, removes the email and deactivates, leaving absent keys as they are', async () => {
      const renamed = await t.api.patch(`/users/${id}`, { name: 'Pat Renamed' }, admin);
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Pat Renamed', email: `pat.${run}@example.com`, active: true });
      const noEmail = await t.api.patch(`/users/${id}`, { email: null, active: false }, admin);
      expect(noEmail.body).toMatchObject({ name: 'Pat Renamed', email: null, active: false });
      expect((await t.api.get(`/users/${id}`)).body.active).toBe(false);
    });

    it('answers 403 to an integration key, 401 without one', async () => {
      expect((await t.api.patch(`/users/${id}`, { active: true })).status).toBe(403);
      expect((await t.api.patch(`/users/${id}`, { active: true }, { key: null })).status).toBe(401);
    });

    it('answers 409 when the new email belongs to another user', async () => {
      await t.api.post('/users', { name: 'Owner Of Email', email: `taken.${run}@example.com` }, admin);
      const res = await t.api.patch(`/users/${id}`, { email: `taken.${run}@example.com` }, admin);
      expect(res.status).toBe(409);
    });

    it.each([
      [{ active: 'yes' }, 'active must be true or false (got "yes").'],
      [{ name: ['Pat'] }, 'name must be text of 1 to 255 characters (got an array).'],
      [{ email: 42 }, 'email must be an ASCII email address of at most 320 characters, or null (got 42).'],
    ])('answers 400 to a wrong type (%j), naming the field and what it takes', async (body, message) => {
      const res = await t.api.patch(`/users/${id}`, body, admin);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'bad_request', message });
    });
  });

  describe('GET /users', () => {
    it('lists the active users as a bare array sorted by name, email left out when absent', async () => {
      const fresh = await createTestApp();
      try {
        await fresh.api.post('/users', { name: 'Maria Lopez' }, admin);
        await fresh.api.post('/users', { name: 'Ann Smith', email: 'ann@example.com' }, admin);
        const gone = await fresh.api.post('/users', { name: 'Bob Gone' }, admin);
        await fresh.api.patch(`/users/${gone.body.id}`, { active: false }, admin);
        const res = await fresh.api.get('/users');
        expect(res.status).toBe(200);
        expect(res.body).toEqual([
          { id: expect.any(String), name: 'Ann Smith', email: 'ann@example.com' },
          { id: expect.any(String), name: 'Maria Lopez' },
        ]);
      } finally {
        await fresh.close();
      }
    });

    it('answers 401 without a key', async () => {
      expect((await t.api.get('/users', { key: null })).status).toBe(401);
    });

    it('answers 404 with USERS_ENABLED=false, which turns owner selection off in Enginy', async () => {
      const off = await createTestApp({ USERS_ENABLED: 'false' });
      try {
        const res = await off.api.get('/users');
        expect(res.status).toBe(404);
        expect(res.body.error).toBe('not_found');
      } finally {
        await off.close();
      }
    });
  });
});
