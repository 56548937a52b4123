import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  AuthorizationGrantedEvent,
  AuthorizationRevokedEvent,
  MeasurementReceivedEvent,
} from '@health-bridge/health-archive';
import { testDatabaseTargets } from '@health-bridge/health-archive/testing';
import { accountIdForPhone, DEFAULT_MEMBER_ID, MEASUREMENT_DATA_TYPES } from '@health-bridge/viatom-sandbox';
import { allPages, api, resetState, startApi, type ApiHarness } from './api-harness';

/**
 * The whole story over real HTTP, as an integrator and a user live it: ask for the consent
 * URL, the user opens it and consents, Viatom pushes, measurements arrive, the integrator
 * cancels, Viatom echoes the cancel. Every step is checked where a user would look.
 */
describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('the whole flow on $name', (target) => {
  let h: ApiHarness;
  const events: Array<{ name: string; payload: any }> = [];
  const names = [AuthorizationGrantedEvent.eventName, MeasurementReceivedEvent.eventName, AuthorizationRevokedEvent.eventName];
  const listeners = names.map((name) => ({ name, listener: (payload: unknown) => events.push({ name, payload }) }));

  beforeAll(async () => {
    h = await startApi(target);
    const emitter = h.app.get(EventEmitter2);
    for (const { name, listener } of listeners) emitter.on(name, listener);
  });
  afterAll(async () => {
    const emitter = h?.app.get(EventEmitter2);
    for (const { name, listener } of listeners) emitter?.off(name, listener);
    await h?.close();
  });
  beforeEach(async () => {
    await resetState(h);
    events.length = 0;
  });

  const phone = '15312341234';
  // What the person types on the consent page: Viatom, and this service, read it as `phone`.
  const writtenPhone = '+86 153-1234-1234';
  const ofType = (type: string) => events.filter((e) => e.name === type).map((e) => e.payload);

  it('auth URL → consent page → authorized → measurements → cancel → revoked by the integrator', async () => {
    // 1. The integrator asks for the consent URL.
    const authUrl = await api(h, 'POST', '/api/v1/authorizations/auth-url', { language: 'en-US' });
    expect(authUrl.status).toBe(200);
    const jumpPath: string = authUrl.body.jumpPath;
    const [pageUrl, fragment] = jumpPath.split('#');
    const sign = /[?&]sign=([^&]*)/.exec(fragment)?.[1];
    expect(sign).toBeDefined();
    expect([...h.sandbox.issuedSigns]).toEqual([sign]);

    // 2. The user's browser opens it: the fragment is never sent, the page is HTML with a form.
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html)?.[1];
    expect(action).toBeDefined();
    expect(html).toMatch(/<input[^>]*name="phone"/);
    expect(html).toMatch(/<input[^>]*name="sign"/);
    expect(events).toEqual([]);

    // 3. The user consents: the page's script copies the sign from the fragment; the browser posts the form.
    const consent = await fetch(new URL(action as string, pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ phone: writtenPhone, sign: decodeURIComponent(sign as string) }).toString(),
    });
    expect(consent.status).toBe(200);
    const consentHtml = await consent.text();
    expect(consentHtml).toContain('Authorized');
    expect(consentHtml).toContain('HTTP 200');

    // 4. The type-2 push arrived before the consent page answered.
    const [grantPush] = h.sandbox.pushesSent;
    expect(h.sandbox.pushesSent).toHaveLength(1);
    expect(grantPush).toMatchObject({ trigger: 'consent', status: 200, ok: true });
    const grantMessage = grantPush.message as { type: number; update_time: string; data: { phone: string } };
    expect(grantMessage).toMatchObject({ type: 2, data: { phone } });
    const grantedAt = new Date(`${grantMessage.update_time.replace(' ', 'T')}+08:00`).toISOString();

    const authorized = await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(writtenPhone)}`);
    expect(authorized.status).toBe(200);
    expect(authorized.body).toEqual({
      phone,
      status: 'authorized',
      accountId: accountIdForPhone(phone),
      memberId: DEFAULT_MEMBER_ID,
      authorizedAt: grantedAt,
      revokedAt: null,
      revokedBy: null,
      updatedAt: expect.stringMatching(/Z$/),
      fhirPatientId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const listed = await api(h, 'GET', '/api/v1/authorizations?status=authorized');
    expect(listed.body.items.map((a: { phone: string }) => a.phone)).toEqual([phone]);
    expect(ofType(AuthorizationGrantedEvent.eventName)).toEqual([
      expect.objectContaining({ phone, accountId: accountIdForPhone(phone), memberId: DEFAULT_MEMBER_ID }),
    ]);
    const granted = ofType(AuthorizationGrantedEvent.eventName)[0] as AuthorizationGrantedEvent;
    expect(granted).toBeInstanceOf(AuthorizationGrantedEvent);
    expect(granted.authorizedAt.toISOString()).toBe(grantedAt);

    // 5. Viatom pushes the user's measurements; the integrator reads them.
    const samples = await h.sandbox.send.samples({ phone });
    expect(samples.every((r) => r.status === 200)).toBe(true);
    const measurements = (await allPages(h, `/api/v1/measurements?phone=${encodeURIComponent(phone)}`, 4)).flat();
    expect(measurements).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    for (const record of samples) {
      const message = record.message as { data_tag: string; data: Record<string, unknown> };
      expect(measurements.find((m) => m.dataTag === message.data_tag)?.data).toEqual(message.data);
    }
    const received = ofType(MeasurementReceivedEvent.eventName) as MeasurementReceivedEvent[];
    expect(received).toHaveLength(MEASUREMENT_DATA_TYPES.length);
    for (const event of received) {
      expect(event).toBeInstanceOf(MeasurementReceivedEvent);
      const listedOne = measurements.find((m) => m.id === event.measurementId);
      expect(listedOne).toBeDefined();
      expect(event).toMatchObject({ accountId: accountIdForPhone(phone), memberId: DEFAULT_MEMBER_ID, dataType: listedOne.dataType, data: listedOne.data });
      expect(event.measuredAt?.toISOString()).toBe(listedOne.measuredAt);
    }

    // 6. The integrator cancels; Viatom says yes, then pushes the type-3 echo.
    const cancel = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ phone, status: 'revoked', revokedBy: 'integrator', authorizedAt: grantedAt });
    expect(h.sandbox.calls.map((c) => c.endpoint)).toEqual(['jump_path', 'cancel']);
    expect(h.sandbox.calls[1].body).toEqual({ phone });
    await h.sandbox.settled();
    const echo = h.sandbox.pushesSent.find((r) => r.trigger === 'cancel');
    expect(echo).toMatchObject({ status: 200, ok: true, message: expect.objectContaining({ type: 3, data: { phone } }) });

    const revoked = await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(phone)}`);
    expect(revoked.body).toEqual({ ...cancel.body, updatedAt: expect.stringMatching(/Z$/) });
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedBy: 'integrator', revokedAt: cancel.body.revokedAt });

    // 7. The push log tells the story, newest first: the echo, the measurements, the grant.
    const log = (await allPages(h, `/api/v1/pushes?phone=${encodeURIComponent(phone)}`, 5)).flat();
    expect(log.map((p) => p.type)).toEqual([3, ...MEASUREMENT_DATA_TYPES.map(() => 1), 2]);
    expect(log[log.length - 1]).toMatchObject({ outcome: 'applied', message: grantMessage });
    expect(log.slice(1, -1).every((p) => p.outcome === 'archived')).toBe(true);
    // The echo changes nothing. Viatom's time has whole seconds and is taken before the cancel is
    // recorded, so the echo is (almost always) older than the cancel: stale; at the same instant: applied.
    const echoEntry = log[0];
    expect(echoEntry.message).toEqual(echo?.message);
    expect(new Date(echoEntry.sourceUpdatedAt).getTime()).toBeLessThanOrEqual(new Date(cancel.body.revokedAt).getTime());
    expect(echoEntry.outcome).toBe(echoEntry.sourceUpdatedAt === cancel.body.revokedAt ? 'applied' : 'stale');

    // 8. One revocation, by the integrator, when the cancel was recorded: the echo emits nothing.
    const revokedEvents = ofType(AuthorizationRevokedEvent.eventName) as AuthorizationRevokedEvent[];
    expect(revokedEvents).toHaveLength(1);
    expect(revokedEvents[0]).toBeInstanceOf(AuthorizationRevokedEvent);
    expect(revokedEvents[0]).toMatchObject({ phone, revokedBy: 'integrator' });
    expect(revokedEvents[0].revokedAt.toISOString()).toBe(cancel.body.revokedAt);
    expect(events.map((e) => e.name)).toEqual([
      AuthorizationGrantedEvent.eventName,
      ...MEASUREMENT_DATA_TYPES.map(() => MeasurementReceivedEvent.eventName),
      AuthorizationRevokedEvent.eventName,
    ]);

    // 9. After the cancel, Viatom no longer knows the user (a second cancel is refused) and measurements are not kept.
    const again = await api(h, 'POST', '/api/v1/authorizations/cancel', { phone });
    expect(again.status).toBe(502);
    expect(again.body.viatomCode).toBe(101009);
    await h.sandbox.send.measurement({ phone, dataTag: 'after-cancel' });
    const after = await api(h, 'GET', `/api/v1/measurements?phone=${encodeURIComponent(phone)}`);
    expect(after.body.items.map((m: { dataTag: string }) => m.dataTag)).not.toContain('after-cancel');
    expect(ofType(MeasurementReceivedEvent.eventName)).toHaveLength(MEASUREMENT_DATA_TYPES.length);
  });

  it('the consent page refuses a sign it did not issue, and nothing is pushed or stored', async () => {
    const authUrl = await api(h, 'POST', '/api/v1/authorizations/auth-url');
    const [pageUrl] = (authUrl.body.jumpPath as string).split('#');
    const html = await (await fetch(pageUrl)).text();
    const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1] as string;
    const refused = await fetch(new URL(action, pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ phone: writtenPhone, sign: 'bm90LWlzc3VlZA==' }).toString(),
    });
    expect(refused.status).toBe(400);
    expect(h.sandbox.pushesSent).toHaveLength(0);
    expect((await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(phone)}`)).status).toBe(404);
    expect(events).toEqual([]);
  });

  it('a user who consents twice is authorized once (one grant event), and the second push is logged as applied', async () => {
    for (let i = 0; i < 2; i++) {
      const authUrl = await api(h, 'POST', '/api/v1/authorizations/auth-url');
      const [pageUrl, fragment] = (authUrl.body.jumpPath as string).split('#');
      const sign = decodeURIComponent(/[?&]sign=([^&]*)/.exec(fragment)?.[1] as string);
      const consent = await fetch(new URL('/auth/consent', pageUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ phone: writtenPhone, sign }).toString(),
      });
      expect(consent.status).toBe(200);
    }
    const log = await api(h, 'GET', `/api/v1/pushes?phone=${encodeURIComponent(phone)}&type=2`);
    expect(log.body.items).toHaveLength(2);
    // The second consent may fall in the same second as the first: a repeat grant is applied (it confirms), never stale.
    expect(log.body.items.map((p: { outcome: string }) => p.outcome)).toEqual(['applied', 'applied']);
    expect(ofType(AuthorizationGrantedEvent.eventName)).toHaveLength(1);
    expect((await api(h, 'GET', `/api/v1/authorizations/${encodeURIComponent(phone)}`)).body.status).toBe('authorized');
  });
});
