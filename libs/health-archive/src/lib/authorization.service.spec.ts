import { DataProtection } from './protection/data-protection';
import { formatViatomTime, PushType, type ViatomPushWire } from '@health-bridge/viatom-protocol';
import { ViatomApiError, ViatomTransportError } from '@health-bridge/viatom-client';
import { accountIdForPhone, createSandbox, DEFAULT_MEMBER_ID, type Sandbox } from '@health-bridge/viatom-sandbox';
import { parsed, startArchive, wirePush, type ArchiveHarness } from '../../test/archive-harness';
import { testDatabaseTargets } from '../testing';
import { AuthorizationService } from './authorization.service';
import { Authorization, AuthorizationStatus, RevokedBy } from './entities/authorization';
import { PushLogEntry, PushOutcome } from './entities/push-log-entry';
import { AuthorizationGrantedEvent, AuthorizationRevokedEvent } from './events';
import { InvalidCursorError } from './pagination';
import { PushIngestService } from './push-ingest.service';

const HOUR = 3_600_000;
/** Viatom's clock ahead of ours, within the skew a push's own time is still believed (10 minutes by default). */
const AHEAD = 5 * 60_000;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('AuthorizationService on $name', (target) => {
  let sandbox: Sandbox;
  let sandboxUrl: string;
  let archive: ArchiveHarness;
  let service: AuthorizationService;
  let ingest: PushIngestService;

  beforeAll(async () => {
    // The archive harness's client sends secret 'test-secret' and access token 'test-token'.
    sandbox = createSandbox({ secret: 'test-secret', accessToken: 'test-token' });
    sandboxUrl = await sandbox.listen(0);
  });
  afterAll(() => sandbox?.close());
  beforeEach(async () => {
    sandbox.reset();
    archive = await startArchive(target, sandboxUrl);
    service = archive.module.get(AuthorizationService);
    ingest = archive.module.get(PushIngestService);
  });
  afterEach(async () => {
    await sandbox?.settled();
    await archive?.close();
  });

  const phone = '15312341234';
  const rowOf = (p: string) => archive.dataSource.getRepository(Authorization).findOneBy({ phoneHash: archive.module.get(DataProtection).phoneHash(p) });
  const eventsNamed = (name: string) => archive.events.filter((e) => e.name === name).map((e) => e.payload);
  /** A push as the sandbox would send it for this phone (same account id), at this instant. */
  const statePush = (type: PushType, p: string, at: Date, dataTag?: string): ViatomPushWire =>
    wirePush({ type, phone: p, time: formatViatomTime(at), account_id: accountIdForPhone(p), member_id: DEFAULT_MEMBER_ID, ...(dataTag ? { data_tag: dataTag } : {}) });
  /** The phone authorized on both sides: Viatom knows it, the archive holds the type-2 push. */
  const authorized = async (p: string, at = new Date(Date.now() - 2 * HOUR)) => {
    sandbox.authorizedPhones.add(p);
    const result = await ingest.ingest(parsed(statePush(PushType.UserAuthorized, p, at)));
    expect(result.outcome).toBe(PushOutcome.Applied);
    return (await rowOf(p)) as Authorization;
  };
  const cancelCalls = () => sandbox.calls.filter((c) => c.endpoint === 'cancel');

  describe('requestAuthorizationUrl', () => {
    it("returns Viatom's jump_path byte for byte", async () => {
      const url = await service.requestAuthorizationUrl();
      const signs = [...sandbox.issuedSigns];
      expect(signs).toHaveLength(1);
      expect(url).toBe(`${sandbox.publicUrl}/auth/#/?sign=${signs[0]}`);
      // The sign holds the characters a re-encoding would change.
      expect(signs[0]).toMatch(/\+/);
      expect(signs[0]).toMatch(/\//);
      expect(signs[0]).toMatch(/=$/);
      expect(sandbox.calls).toEqual([
        expect.objectContaining({ endpoint: 'jump_path', secret: 'valid', accessToken: 'valid', language: 'zh-CN', body: undefined }),
      ]);
    });

    it('passes the language asked for', async () => {
      await service.requestAuthorizationUrl({ language: 'en-US' });
      expect(sandbox.calls[0].language).toBe('en-US');
    });

    it("propagates Viatom's refusal as ViatomApiError", async () => {
      sandbox.setFault({ errorCode: 100005, errorMessage: 'service disabled' });
      const error = await service.requestAuthorizationUrl().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ViatomApiError);
      expect(error).toMatchObject({ code: 100005, viatomMessage: 'service disabled' });
    });
  });

  describe('cancel', () => {
    it('revokes by the integrator once Viatom said yes, keeping when the user authorized', async () => {
      const before = await authorized(phone, new Date('2022-12-29T02:00:00Z'));
      const startedAt = Date.now();
      const result = await service.cancel(phone);
      const endedAt = Date.now();

      expect(cancelCalls()).toEqual([expect.objectContaining({ body: { phone }, secret: 'valid', accessToken: 'valid', answer: { httpStatus: 200, code: 0 } })]);
      expect(sandbox.authorizedPhones.has(phone)).toBe(false);
      expect(result).toMatchObject({
        id: before.id,
        phone,
        status: AuthorizationStatus.Revoked,
        revokedBy: RevokedBy.Integrator,
        accountId: accountIdForPhone(phone),
        memberId: DEFAULT_MEMBER_ID,
      });
      expect(result.authorizedAt?.toISOString()).toBe('2022-12-29T02:00:00.000Z');
      const revokedAt = result.revokedAt?.getTime() as number;
      expect(revokedAt).toBeGreaterThanOrEqual(startedAt);
      expect(revokedAt).toBeLessThanOrEqual(endedAt);

      // What was returned is what is stored.
      const stored = (await rowOf(phone)) as Authorization;
      expect(stored).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
      expect(stored.revokedAt?.getTime()).toBe(revokedAt);
      expect(stored.lastChangeAt.getTime()).toBe(revokedAt);
      expect(stored.authorizedAt?.toISOString()).toBe('2022-12-29T02:00:00.000Z');

      const revoked = eventsNamed(AuthorizationRevokedEvent.eventName) as AuthorizationRevokedEvent[];
      expect(revoked).toHaveLength(1);
      expect(revoked[0]).toBeInstanceOf(AuthorizationRevokedEvent);
      expect(revoked[0]).toMatchObject({ phone, revokedBy: RevokedBy.Integrator });
      expect(revoked[0].revokedAt.getTime()).toBe(revokedAt);
    });

    it('creates a revoked record for a phone never seen that Viatom accepts', async () => {
      const p = '15300009999';
      sandbox.authorizedPhones.add(p);
      const result = await service.cancel(p);

      expect(result).toMatchObject({ phone: p, status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator, accountId: '', memberId: '', authorizedAt: null });
      const stored = (await rowOf(p)) as Authorization;
      expect(stored).toMatchObject({ id: result.id, status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator, authorizedAt: null });
      expect(stored.revokedAt?.getTime()).toBe(result.revokedAt?.getTime());
      expect(await archive.dataSource.getRepository(Authorization).count()).toBe(1);
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toEqual([expect.objectContaining({ phone: p, revokedBy: RevokedBy.Integrator })]);
    });

    it('emits AuthorizationRevokedEvent once: a second cancel Viatom accepts is no new revocation', async () => {
      await authorized(phone);
      const first = await service.cancel(phone);
      sandbox.authorizedPhones.add(phone);
      const second = await service.cancel(phone);

      expect(cancelCalls()).toHaveLength(2);
      expect(second).toMatchObject({ id: first.id, status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
      // The record reflects the newest event applied.
      expect(second.revokedAt?.getTime()).toBeGreaterThanOrEqual(first.revokedAt?.getTime() as number);
      expect((await rowOf(phone))?.revokedAt?.getTime()).toBe(second.revokedAt?.getTime());
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toHaveLength(1);
    });

    it.each([
      ['Viatom does not know the user (101009)', () => undefined, 101009],
      ['an injected refusal', () => sandbox.setFault({ errorCode: 100003, errorMessage: 'account does not exist' }), 100003],
      ['refused credentials', () => sandbox.setFault({ errorCode: 109997 }), 109997],
    ])('throws ViatomApiError and changes nothing when Viatom refuses: %s', async (_, refuse, code) => {
      const before = await authorized(phone);
      if (code === 101009) sandbox.authorizedPhones.delete(phone);
      refuse();

      const error = await service.cancel(phone).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ViatomApiError);
      expect((error as ViatomApiError).code).toBe(code);
      expect(await rowOf(phone)).toEqual(before);
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toEqual([]);
    });

    it('creates no record when Viatom refuses the cancel of a phone never seen', async () => {
      const error = await service.cancel('15300008888').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ViatomApiError);
      expect((error as ViatomApiError).code).toBe(101009);
      expect(await archive.dataSource.getRepository(Authorization).count()).toBe(0);
      expect(archive.events).toEqual([]);
    });

    it.each([
      ['a dropped connection', { dropConnection: true }, 'connection-reset'],
      ['an answer that is not JSON', { nonJson: true }, 'invalid-json'],
      ['an answer that is not the envelope', { noEnvelope: true }, 'invalid-envelope'],
      ['HTTP 500 without the envelope', { httpStatus: 500 }, 'http-status'],
    ] as const)('throws ViatomTransportError and changes nothing on %s', async (_, fault, kind) => {
      const before = await authorized(phone);
      sandbox.setFault(fault);

      const error = await service.cancel(phone).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ViatomTransportError);
      expect((error as ViatomTransportError).kind).toBe(kind);
      expect(await rowOf(phone)).toEqual(before);
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toEqual([]);
      // Viatom never said yes, so it still holds the authorization too.
      expect(sandbox.authorizedPhones.has(phone)).toBe(true);
    });

    it('keeps revoked by the integrator when the type-3 echo arrives, whether it is older or newer', async () => {
      await authorized(phone);
      const cancelled = await service.cancel(phone);
      await sandbox.settled();
      const echo = sandbox.pushesSent.find((r) => r.trigger === 'cancel');
      expect(echo?.message).toMatchObject({ type: 3, data: { phone } });

      // The echo Viatom sent: its time has whole seconds, taken just before the cancel was recorded.
      const echoResult = await ingest.ingest(parsed(echo?.message));
      expect(echoResult.duplicate).toBe(false);
      expect([PushOutcome.Stale, PushOutcome.Applied]).toContain(echoResult.outcome);
      const afterEcho = (await rowOf(phone)) as Authorization;
      expect(afterEcho).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
      if (echoResult.outcome === PushOutcome.Stale) expect(afterEcho.revokedAt?.getTime()).toBe(cancelled.revokedAt?.getTime());

      // A type-3 with a time after the cancel: applied (the record shows its time), still the integrator's revocation.
      const lateAt = new Date(Math.ceil((Date.now() + AHEAD) / 1000) * 1000);
      const late = await ingest.ingest(parsed(statePush(PushType.UserCancelled, phone, lateAt)));
      expect(late.outcome).toBe(PushOutcome.Applied);

      const stored = (await rowOf(phone)) as Authorization;
      expect(stored).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
      expect(stored.revokedAt?.getTime()).toBe(lateAt.getTime());
      expect(stored.lastChangeAt.getTime()).toBe(lateAt.getTime());
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toHaveLength(1);
      const log = await archive.dataSource.getRepository(PushLogEntry).find({ order: { id: 'ASC' } });
      expect(log.map((e) => [e.type, e.outcome])).toEqual([
        [2, PushOutcome.Applied],
        [3, echoResult.outcome],
        [3, PushOutcome.Applied],
      ]);
    });

    it('treats a type-2 push older than the cancel as stale, and a newer one as a new authorization', async () => {
      await authorized(phone);
      const cancelled = await service.cancel(phone);
      const revokedAt = cancelled.revokedAt as Date;

      const older = await ingest.ingest(parsed(statePush(PushType.UserAuthorized, phone, new Date(revokedAt.getTime() - HOUR))));
      expect(older.outcome).toBe(PushOutcome.Stale);
      expect(await rowOf(phone)).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });

      const newerAt = new Date(Math.ceil((revokedAt.getTime() + AHEAD) / 1000) * 1000);
      const newer = await ingest.ingest(parsed(statePush(PushType.UserAuthorized, phone, newerAt)));
      expect(newer.outcome).toBe(PushOutcome.Applied);
      const stored = (await rowOf(phone)) as Authorization;
      expect(stored).toMatchObject({ status: AuthorizationStatus.Authorized, revokedAt: null, revokedBy: null });
      expect(stored.authorizedAt?.getTime()).toBe(newerAt.getTime());
      expect(stored.lastChangeAt.getTime()).toBe(newerAt.getTime());
      expect(archive.events.map((e) => e.name)).toEqual([
        AuthorizationGrantedEvent.eventName,
        AuthorizationRevokedEvent.eventName,
        AuthorizationGrantedEvent.eventName,
      ]);
    });

    it('revokes even when the stored grant carries a later time than the cancel (Viatom confirmed it)', async () => {
      // Viatom's clock ahead of ours: its grant carries a time after our cancel.
      const grantAt = new Date(Math.ceil((Date.now() + AHEAD) / 1000) * 1000);
      await authorized(phone, grantAt);
      const result = await service.cancel(phone);
      expect(cancelCalls()).toHaveLength(1);
      expect(result).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
      // The cancel takes the grant's time: equal times, the cancellation wins; an older push stays stale.
      expect(result.revokedAt?.getTime()).toBe(grantAt.getTime());
      expect(await rowOf(phone)).toMatchObject({ status: AuthorizationStatus.Revoked, lastChangeAt: grantAt });
      expect(eventsNamed(AuthorizationRevokedEvent.eventName)).toHaveLength(1);
    });

    it('ends consistent when a cancel and a type-2 push for one phone race', async () => {
      const now = Date.now();
      // Whole seconds, as Viatom writes them.
      const older = new Date(Math.floor((now - HOUR) / 1000) * 1000);
      const newer = new Date(Math.ceil((now + AHEAD) / 1000) * 1000);
      const olderPhones = Array.from({ length: 6 }, (_, i) => `1531111000${i}`);
      const newerPhones = Array.from({ length: 6 }, (_, i) => `1532222000${i}`);
      for (const p of [...olderPhones, ...newerPhones]) sandbox.authorizedPhones.add(p);
      // Half of the phones already exist (the row is locked and updated), half are new (the row is inserted by whichever comes first).
      for (const p of [...olderPhones.slice(0, 3), ...newerPhones.slice(0, 3)]) {
        await ingest.ingest(parsed(statePush(PushType.UserAuthorized, p, new Date(now - 2 * HOUR))));
        sandbox.authorizedPhones.add(p);
      }
      archive.events.length = 0;

      // The push is let go when Viatom has answered the cancel (plus 0-3 turns of the event loop), so that
      // it meets the cancel's transaction: sometimes before it, sometimes after, on either engine.
      const viatomAnswered = async (p: string) => {
        while (!sandbox.calls.some((c) => c.endpoint === 'cancel' && (c.body as { phone?: string })?.phone === p && c.answer)) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const race = async (p: string, at: Date, turns: number) => {
        const cancelled = service.cancel(p);
        await viatomAnswered(p);
        for (let t = 0; t < turns; t++) await new Promise((resolve) => setImmediate(resolve));
        const pushed = ingest.ingest(parsed(statePush(PushType.UserAuthorized, p, at, `race-${p}`)));
        return Promise.all([cancelled, pushed]);
      };
      const results = await Promise.all([...olderPhones.map((p, i) => race(p, older, i % 4)), ...newerPhones.map((p, i) => race(p, newer, i % 4))]);

      for (const [i, [cancelled, pushed]] of results.entries()) {
        const p = i < olderPhones.length ? olderPhones[i] : newerPhones[i - olderPhones.length];
        const pushTime = i < olderPhones.length ? older : newer;
        const stored = (await rowOf(p)) as Authorization;
        const entry = await archive.dataSource.getRepository(PushLogEntry).findOneByOrFail({ id: pushed.pushId });
        const granted = eventsNamed(AuthorizationGrantedEvent.eventName).filter((e) => (e as AuthorizationGrantedEvent).phone === p);
        const revoked = eventsNamed(AuthorizationRevokedEvent.eventName).filter((e) => (e as AuthorizationRevokedEvent).phone === p);
        expect(entry.outcome).toBe(pushed.outcome);
        expect(await archive.dataSource.getRepository(Authorization).countBy({ phoneHash: archive.module.get(DataProtection).phoneHash(p) })).toBe(1);

        if (pushTime === older) {
          // The cancel is the latest word: revoked by the integrator, whatever the order.
          expect(stored).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
          expect(stored.lastChangeAt.getTime()).toBe(cancelled.revokedAt?.getTime());
          expect(cancelled.status).toBe(AuthorizationStatus.Revoked);
          expect(revoked).toHaveLength(1);
          // The push was applied only if it came first; then it granted only if the phone was not authorized yet.
          expect([PushOutcome.Applied, PushOutcome.Stale]).toContain(pushed.outcome);
          const existed = olderPhones.indexOf(p) < 3;
          expect(granted).toHaveLength(pushed.outcome === PushOutcome.Applied && !existed ? 1 : 0);
        } else {
          // Viatom confirmed the cancel, so it always revokes; the newer grant is applied either way.
          expect(pushed.outcome).toBe(PushOutcome.Applied);
          expect(cancelled).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
          expect(revoked).toHaveLength(1);
          if (stored.status === AuthorizationStatus.Authorized) {
            // The cancel came first; the grant, newer, came after it and authorized again.
            expect(stored).toMatchObject({ revokedAt: null, revokedBy: null });
            expect(stored.authorizedAt?.getTime()).toBe(newer.getTime());
            expect(cancelled.revokedAt?.getTime()).toBeLessThan(newer.getTime());
            expect(granted).toHaveLength(1);
          } else {
            // The grant came first; the cancel, confirmed after it, takes the grant's time (a tie: the cancellation wins).
            expect(stored).toMatchObject({ status: AuthorizationStatus.Revoked, revokedBy: RevokedBy.Integrator });
            expect(stored.revokedAt?.getTime()).toBe(newer.getTime());
            expect(stored.lastChangeAt.getTime()).toBe(newer.getTime());
            expect(granted).toHaveLength(newerPhones.indexOf(p) < 3 ? 0 : 1);
          }
        }
      }
    });
  });

  describe('findByPhone and list', () => {
    it('finds by phone, null when never seen', async () => {
      const row = await authorized(phone);
      expect(await service.findByPhone(phone)).toEqual(row);
      expect(await service.findByPhone('15300000000')).toBeNull();
    });

    it('lists newest first by cursor, filtered by status', async () => {
      const phones = Array.from({ length: 5 }, (_, i) => `1530000000${i}`);
      for (const p of phones) await authorized(p);
      for (const p of [phones[1], phones[3]]) await ingest.ingest(parsed(statePush(PushType.UserCancelled, p, new Date())));

      const seen: string[] = [];
      let cursor: string | null | undefined;
      const sizes: number[] = [];
      do {
        const page = await service.list({ limit: 2, cursor: cursor ?? undefined });
        sizes.push(page.items.length);
        seen.push(...page.items.map((a) => a.phone));
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual([...phones].reverse());

      const revoked = await service.list({ status: AuthorizationStatus.Revoked });
      expect(revoked).toEqual({ items: [expect.objectContaining({ phone: phones[3] }), expect.objectContaining({ phone: phones[1] })], nextCursor: null });
      const authorizedPage = await service.list({ status: AuthorizationStatus.Authorized, limit: 2 });
      expect(authorizedPage.items.map((a) => a.phone)).toEqual([phones[4], phones[2]]);
      const rest = await service.list({ status: AuthorizationStatus.Authorized, limit: 2, cursor: authorizedPage.nextCursor as string });
      expect(rest).toEqual({ items: [expect.objectContaining({ phone: phones[0] })], nextCursor: null });
    });

    it('clamps the limit and takes an empty cursor as the first page', async () => {
      for (let i = 0; i < 3; i++) await authorized(`1530000001${i}`);
      expect((await service.list({ limit: 0 })).items).toHaveLength(1);
      expect((await service.list({ limit: 10_000 })).items).toHaveLength(3);
      expect((await service.list({ cursor: '' })).items).toHaveLength(3);
    });

    it.each(['garbage!', Buffer.from('id:x').toString('base64url'), Buffer.from('offset:3').toString('base64url'), Buffer.from('id:1 ').toString('base64url'), 'a'.repeat(41)])(
      'throws InvalidCursorError for the cursor %s',
      async (cursor) => {
        await expect(service.list({ cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      },
    );
  });
});
