/**
 * Generated from apps/api/openapi.json by `npm run console:api-types`: do not edit.
 * A console test fails when this file and the document differ.
 */

export interface paths {
    "/api/v1/authorizations/auth-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Get the URL of Viatom's consent page
         * @description Asks Viatom for an authorization URL to show the user. When the user consents, Viatom pushes a type-2 message and the user appears here as `authorized`. The URL is returned byte for byte.
         */
        post: operations["Authorizations_authUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/authorizations/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a user's authorization
         * @description Asks Viatom to cancel the authorization of this phone. Only when Viatom says yes is the authorization recorded as `revoked` by `integrator`; a refusal or an unreachable Viatom changes nothing.
         */
        post: operations["Authorizations_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/authorizations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List authorizations
         * @description Newest first, by cursor: pass `nextCursor` as `cursor` for the next page.
         */
        get: operations["Authorizations_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/authorizations/{phone}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A phone's authorization */
        get: operations["Authorizations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/viatom": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Viatom's push receiver
         * @description Register this URL with Viatom. Type 2 = user authorized, 3 = user cancelled, 1 = measurement. A push is answered 200 only after it is committed; a repeat (same `data_tag`, or same content when `data_tag` is empty) is answered 200 and changes nothing. Answers use Viatom's envelope. Liberal in what it accepts (README "What the push receiver accepts"): times as `YYYY-MM-DD HH:mm:ss`, ISO 8601 or epoch seconds/milliseconds (a time that cannot be read counts as absent); ids as strings or numbers; `type` and `data_type` as integers or integer strings; phones with separators, full-width digits or a +86 prefix. The body is kept exactly as received: JSON in UTF-8 or the declared `charset` (gbk, gb18030…), optionally `Content-Encoding: gzip`, `deflate` or `br`.
         */
        post: operations["Webhooks_receive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pushes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The push log
         * @description Every push received, newest first, by cursor.
         */
        get: operations["Pushes_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/measurements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Archived measurements
         * @description Newest first, by cursor.
         */
        get: operations["Measurements_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{phone}/consents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A person's consent ledger
         * @description Every grant and withdrawal this service was told of, applied or stale: source time, received time, by whom (`user` or `integrator`), and the push or API call that carried it. Kept when their data is deleted. Newest first, by cursor.
         */
        get: operations["People_consents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{phone}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything held about a person (their copy)
         * @description One document: the authorization, the consent ledger, every measurement of their account with its observations, and every push that named them, with its raw message. `format=fhir` answers the same readings as a FHIR R4 `collection` Bundle (`application/fhir+json`).
         */
        get: operations["People_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{phone}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Erase a person's data on request
         * @description Cancels their authorization at Viatom first when it is still granted: a refusal or an unreachable Viatom changes nothing and says so (502, 503, 504). Then deletes at once, without the grace period, what the deletion on withdrawal deletes: their measurements and the raw payloads of their pushes. The consent ledger and the push log's facts stay, as proof of what happened; a `person.data-deleted` event goes out. Answers what was deleted.
         */
        delete: operations["People_erase"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who read whose data
         * @description The access audit: one row for each person whose data an answer revealed (an authorization, lists filtered by phone or showing people, measurements, events, consents, exports, erasures, FHIR reads): when, which API key, what route, whom (as a keyed hash), the request id. Newest first, by cursor. Kept for AUDIT_RETENTION.
         */
        get: operations["Audit_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The event feed, oldest first
         * @description Every event the service has stored, oldest first, after `after`: keep the `nextCursor` and call again to sync incrementally without missing one. Events are kept for `EVENT_RETENTION` (30 days by default).
         */
        get: operations["Events_read"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook endpoints
         * @description Newest first, by cursor: pass `nextCursor` as `cursor` for the next page. Secrets are not shown.
         */
        get: operations["WebhookEndpoints_list"];
        put?: never;
        /**
         * Create a webhook endpoint
         * @description Every event of the types asked for (all of them without `eventTypes`) stored from now on is POSTed to `url`, signed per Standard Webhooks with the `secret` returned here. The secret is shown only here and by `GET …/{id}/secret`.
         */
        post: operations["WebhookEndpoints_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A webhook endpoint
         * @description Its settings and state; not its secret.
         */
        get: operations["WebhookEndpoints_get"];
        put?: never;
        post?: never;
        /**
         * Delete a webhook endpoint
         * @description Nothing more is sent to it; its delivery log goes with it.
         */
        delete: operations["WebhookEndpoints_remove"];
        options?: never;
        head?: never;
        /**
         * Change a webhook endpoint
         * @description Changes the fields given (at least one); the others stay. Every value is checked before anything is changed.
         */
        patch: operations["WebhookEndpoints_update"];
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A webhook endpoint's signing secret
         * @description The current secret, and after a rotation the previous one while it still signs (DELIVERY_SECRET_OVERLAP).
         */
        get: operations["WebhookEndpoints_secret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a webhook endpoint's signing secret
         * @description A new secret signs from now on; the old one keeps signing beside it until `previousSecretExpiresAt`, so the receiver can switch without losing a delivery. Only one previous secret is kept: rotating again within the overlap retires the older one at once.
         */
        post: operations["WebhookEndpoints_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An endpoint's delivery log
         * @description Each event given to the endpoint, newest first, by cursor, with every attempt (time, HTTP status, duration, error) and the next one. Failed attempts are retried on the retry schedule (DELIVERY_RETRY_SCHEDULE) with jitter, later when the receiver asks with Retry-After (429, 503).
         */
        get: operations["WebhookDeliveries_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}/deliveries/{eventId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send one event to the endpoint again
         * @description A new attempt, now, whatever became of the delivery (a delivered one is sent again), with the same `webhook-id`. If it fails it is retried where the schedule left it (a failed delivery: not again). An endpoint that is disabled gets it once it is enabled.
         */
        post: operations["WebhookDeliveries_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhook-endpoints/{id}/recover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send every failed delivery again
         * @description After an outage of the receiver: every delivery to the endpoint that failed and was created at or after `since` is due again now, with its `webhook-id`.
         */
        post: operations["WebhookDeliveries_recover"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health (liveness and readiness in one; see /health/live and /health/ready)
         * @description 200 when the database answers (`degraded` while Viatom's circuit is not closed: Viatom never makes this service down), 503 when it does not.
         */
        get: operations["Health_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Always 200 while the process answers HTTP: nothing outside it (the database, Viatom) is checked, so an outage never gets the process restarted.
         */
        get: operations["Health_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description 200 when the database answers and every migration this build needs is applied; 503 otherwise (while the process stops, its port refuses connections). Viatom's circuit is shown but never makes it unready (pushes are still received while Viatom is down).
         */
        get: operations["Health_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * CapabilityStatement
         * @description What this FHIR server supports: resources, interactions, search parameters, `$everything`.
         */
        get: operations["Fhir_metadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/Patient/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A person
         * @description By the pseudonymous id (`fhirPatientId` of `GET /api/v1/authorizations/{phone}`). `telecom` only with FHIR_PATIENT_TELECOM=true.
         */
        get: operations["Fhir_patient"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/Patient/{id}/$everything": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A person's whole record
         * @description One searchset Bundle: the Patient, then every Observation, DocumentReference and Device of theirs, newest first, with `next` links (`_count` up to 1000).
         */
        get: operations["Fhir_everything"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/Observation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search Observations
         * @description Newest first. `patient` (id or `Patient/<id>`), `code` (token list: `85354-9`, `http://loinc.org|8867-4`, or this server's own codes), `date` (repeatable: `ge2024-01-01`, `lt2024-02-01T00:00:00+08:00`; prefixes eq ge gt le lt), `_count` (1 to 200, default 50). Follow `link[next]`.
         */
        get: operations["Fhir_searchObservations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/Observation/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An Observation */
        get: operations["Fhir_observation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/Device/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A device
         * @description By its id in Observations (the serial number in hex): serial number and manufacturer.
         */
        get: operations["Fhir_device"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/fhir/DocumentReference/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A measurement's files
         * @description The ECG waveform and PDF report, or the SpO2 recording, as Viatom points at them.
         */
        get: operations["Fhir_documentReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last hours at a glance
         * @description For the operator console: the pushes received by minute, type and outcome; the Viatom circuit and the last failed Viatom calls; the webhook deliveries waiting and given up; the webhook attempts of the window and their success rate. Shows no person: no phone, no data.
         */
        get: operations["Overview_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AuthUrlRequestDto: {
            /**
             * @description Language of Viatom's consent page. Defaults to the configured VIATOM_LANGUAGE.
             * @example zh-CN
             * @enum {string}
             */
            language?: "zh-CN" | "en-US";
        };
        AuthUrlResponseDto: {
            /**
             * @description URL of Viatom's consent page, exactly as Viatom sent it: open it in a browser or WebView. Do not re-encode it (its `sign` is base64 and may hold + / =).
             * @example https://open.viatomtech.com.cn/auth/#/?sign=SoR8T6T9zhecSR1qw+/==
             */
            jumpPath: string;
        };
        CancelAuthorizationDto: {
            /**
             * @description Phone of the user whose authorization to cancel, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`.
             * @example 15312341234
             */
            phone: string;
        };
        AuthorizationDto: {
            /** @example 15312341234 */
            phone: string;
            /**
             * @example authorized
             * @enum {string}
             */
            status: "authorized" | "revoked";
            /**
             * @description Viatom's opaque account id, as pushed.
             * @example OA==|MTEx
             */
            accountId: string;
            /**
             * @description Viatom's opaque member id, as pushed.
             * @example OA==|LTE=
             */
            memberId: string;
            /**
             * Format: date-time
             * @description When the user authorized (Viatom source time, UTC).
             * @example 2022-12-29T08:33:40.000Z
             */
            authorizedAt: string | null;
            /**
             * Format: date-time
             * @description When the authorization ended (UTC).
             * @example null
             */
            revokedAt: string | null;
            /**
             * @description `user`: the user cancelled on Viatom; `integrator`: cancelled through this API.
             * @example null
             * @enum {string|null}
             */
            revokedBy: "user" | "integrator" | null;
            /**
             * Format: date-time
             * @description When this record last changed (UTC).
             * @example 2022-12-29T08:33:41.120Z
             */
            updatedAt: string;
            /**
             * @description The person's id in the FHIR API (`/fhir/Patient/{id}`): random and stable, never derived from the phone.
             * @example 3f9a1c2e8b7d4e6fa0c5b1d2e3f4a5b6
             */
            fhirPatientId: string;
        };
        AuthorizationPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["AuthorizationDto"][];
        };
        PushAckDto: {
            /**
             * @description 0 when the push is stored (or was already).
             * @example 0
             */
            code: number;
            /** @example success */
            message: string;
            /** @example  */
            reason: string;
            /** @example {} */
            data: Record<string, never> | null;
        };
        PushDto: {
            /** @example 42 */
            id: number;
            /**
             * @description 1 measurement, 2 authorized, 3 cancelled (others are logged as ignored); null when the type was an integer too large to keep (see `rawMessage`).
             * @example 2
             */
            type: number | null;
            /**
             * @description Viatom's data_tag ('' when Viatom sent none).
             * @example 7a4569155dc60bcb36189490bf90dcfc
             */
            dataTag: string;
            /**
             * @description What makes a repeat a no-op: `tag:<data_tag>`, or `hmac:<keyed hash of the content>` (HMAC-SHA256 under DATA_HASH_KEY: the content holds the phone).
             * @example tag:7a4569155dc60bcb36189490bf90dcfc
             */
            dedupeKey: string;
            /** @example OA==|MTEx */
            accountId: string;
            /** @example OA==|LTE= */
            memberId: string;
            /** @example  */
            deviceSn: string;
            /** @example 15312341234 */
            phone: string | null;
            /**
             * @description applied, stale (older than the last change), archived (measurement kept), ignored.
             * @example applied
             * @enum {string}
             */
            outcome: "applied" | "stale" | "archived" | "ignored";
            /**
             * Format: date-time
             * @description create_time, read in Viatom's zone, as UTC.
             * @example 2022-12-29T08:33:40.000Z
             */
            sourceCreatedAt: string | null;
            /**
             * Format: date-time
             * @example 2022-12-29T08:33:40.000Z
             */
            sourceUpdatedAt: string | null;
            /**
             * Format: date-time
             * @example 2022-12-29T08:33:41.002Z
             */
            receivedAt: string;
            /**
             * @description What the push was ordered by against other changes: `source` (update_time, else create_time), `received-no-source-time` (it had no usable time), `received-source-time-ahead` (its time was further ahead than VIATOM_MAX_CLOCK_SKEW_SECONDS: not believed).
             * @example source
             * @enum {string}
             */
            orderedBy: "source" | "received-no-source-time" | "received-source-time-ahead";
            /** @description The message as received, parsed (without `data` for an ignored measurement). Integers beyond 2^53 lose digits here: read `rawMessage`. Null once the payload was deleted after the person's withdrawal (RETENTION_AFTER_WITHDRAWAL): the log's other fields stay. */
            message: Record<string, never> | null;
            /**
             * @description The message's text exactly as received, after charset decoding (for an ignored measurement: its JSON without `data`); empty once the payload was deleted after the person's withdrawal.
             * @example {"type":2,"data_tag":"7a4569155dc60bcb36189490bf90dcfc","data":{"phone":"15312341234"},"create_time":"2022-12-29 16:33:40"}
             */
            rawMessage: string;
        };
        PushPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["PushDto"][];
        };
        ObservationDto: {
            /** @example spo2 */
            name: string;
            /** @example 98 */
            value: number;
            /**
             * @description UCUM: `mm[Hg]`, `%`, `/min`, `Cel`, `mmol/L`, `kg`, `kg/m2`, `s`, `1`.
             * @example %
             */
            unit: string;
        };
        AttachmentDto: {
            /**
             * @example report
             * @enum {string}
             */
            role: "recording" | "report";
            /** @example https://viatom-oss.example.com/ecg/report.pdf */
            url: string;
        };
        MeasurementDto: {
            /** @example 7 */
            id: number;
            /** @example 9f1c0e7d2b6a4c38a1d5e0f4b7c2a913 */
            dataTag: string;
            /** @example OA==|MTEx */
            accountId: string;
            /** @example OA==|LTE= */
            memberId: string;
            /** @example O2-1234 */
            deviceSn: string;
            /** @example 2 */
            dataType: number | null;
            /**
             * Format: date-time
             * @example 2022-12-29T02:05:00.000Z
             */
            measuredAt: string | null;
            /**
             * Format: date-time
             * @example 2022-12-29T02:06:01.000Z
             */
            receivedAt: string;
            /**
             * @description The measurement as Viatom sent it (`data` of the push).
             * @example {
             *       "data_type": 2,
             *       "measure_time": "1672279500000",
             *       "measure_result": {
             *         "type": 1,
             *         "spo2": {
             *           "value": 98,
             *           "unit": "%"
             *         },
             *         "pr": {
             *           "value": 72,
             *           "unit": "bpm"
             *         }
             *       },
             *       "remark": ""
             *     }
             */
            data: Record<string, never>;
            /**
             * @description What was measured, from `dataType`; null for a type this service does not know.
             * @example spo2
             * @enum {string|null}
             */
            kind: "body-temperature" | "spo2" | "blood-pressure" | "blood-glucose" | "ecg" | "heart-rate" | "sleep" | "cholesterol" | "weight" | "fetal-heart-rate" | null;
            /**
             * @description `measure_result.type` in words: `fasting`, `before-meal`, `after-meal`, `spot-check`, `continuous`, `adult`, `child`, `ear`, `object`.
             * @example spot-check
             */
            context: string | null;
            /** @description The quantities read from `data`, in UCUM units (converted where Viatom wrote another unit). Empty when the shape does not decode; a `null` value is not measured and gives none. */
            observations: components["schemas"]["ObservationDto"][];
            /** @description Files Viatom points at: the recording or ECG waveform, the PDF report. */
            attachments: components["schemas"]["AttachmentDto"][];
            /**
             * @description The ECG's AI finding, as Viatom wrote it (`ai_diagnose.diagnose_info`).
             * @example null
             */
            finding: string | null;
        };
        MeasurementPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["MeasurementDto"][];
        };
        ConsentRecordDto: {
            /**
             * @description `granted` (the user consented) or `withdrawn` (the user or the integrator ended it).
             * @example granted
             * @enum {string}
             */
            action: "granted" | "withdrawn";
            /**
             * @description `user`: their push from Viatom; `integrator`: this API's cancel (or erasure).
             * @example user
             * @enum {string}
             */
            by: "user" | "integrator";
            /**
             * Format: date-time
             * @description The change's source time (UTC): the push's update_time, else its create_time; the cancel's time.
             * @example 2022-12-29T08:33:40.000Z
             */
            sourceTime: string;
            /**
             * Format: date-time
             * @description When this service received it (UTC).
             * @example 2022-12-29T08:33:41.120Z
             */
            receivedAt: string;
            /**
             * @description `applied`: it changed (or confirmed) the authorization; `stale`: it was older than the last change applied, and changed nothing.
             * @example applied
             * @enum {string}
             */
            outcome: "applied" | "stale";
            /**
             * @description The push that carried it (`GET /api/v1/pushes?phone=` shows it); null for a call.
             * @example 41
             */
            pushId: number | null;
            /**
             * @description The request id (`X-Request-Id`) of the API call that carried it; null for a push.
             * @example null
             */
            requestId: string | null;
        };
        ConsentPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["ConsentRecordDto"][];
        };
        PersonExportDto: {
            /**
             * Format: date-time
             * @description When this copy was made (UTC).
             * @example 2026-12-02T08:00:00.000Z
             */
            exportedAt: string;
            /** @example 15312341234 */
            phone: string;
            /** @description Their authorization as it stands. */
            authorization: components["schemas"]["AuthorizationDto"];
            /** @description The consent ledger, oldest first. */
            consents: components["schemas"]["ConsentRecordDto"][];
            /** @description Every measurement of their account, with its observations, oldest first. */
            measurements: components["schemas"]["MeasurementDto"][];
            /** @description Every push that named them or carried one of their measurements, oldest first, with its raw message as received (empty once past the payload retention or deleted). */
            pushes: components["schemas"]["PushDto"][];
        };
        PersonErasedDto: {
            /** @example 15312341234 */
            phone: string;
            /**
             * @description True when the authorization was still granted and Viatom cancelled it for this erasure.
             * @example true
             */
            cancelledAtViatom: boolean;
            /**
             * @description False when nothing was left to delete: the data had already been deleted after an earlier withdrawal.
             * @example true
             */
            deleted: boolean;
            /**
             * @description Measurements deleted.
             * @example 10
             */
            measurementsDeleted: number;
            /**
             * @description Raw push payloads emptied (the push log keeps its facts: type, times, outcome).
             * @example 12
             */
            payloadsDeleted: number;
            /**
             * @description True when the account's measurements stayed because another person sharing the Viatom account still consents.
             * @example false
             */
            measurementsKeptForSharedAccount: boolean;
        };
        AccessRecordDto: {
            /** @example 812 */
            id: number;
            /**
             * Format: date-time
             * @description When the answer was given (UTC).
             * @example 2026-12-02T08:00:00.000Z
             */
            at: string;
            /**
             * @description The API key that asked, by its name in API_KEYS (`name:key`), or `key-` and a fingerprint for an unnamed one. Never the key.
             * @example crm
             */
            apiKey: string;
            /** @example GET */
            method: string;
            /**
             * @description The route's pattern, without its values.
             * @example /api/v1/people/:phone/export
             */
            route: string;
            /**
             * @description The person whose data the answer revealed: their phone's keyed hash (HMAC-SHA256 under DATA_HASH_KEY).
             * @example 4a32…b9c4
             */
            personHash: string;
            /**
             * @description The request id (`X-Request-Id`) of the answer, as in the logs.
             * @example b7e1c0de-…
             */
            requestId: string | null;
            /**
             * @description The HTTP status answered.
             * @example 200
             */
            status: number;
        };
        AccessPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["AccessRecordDto"][];
        };
        EventDto: {
            /**
             * @description Stable and unique: the `webhook-id` of its webhook deliveries and the `messageId` of its broker message.
             * @example evt_01JEXAMPLE7ZQ4N8W2V6T3K5RD
             */
            id: string;
            /**
             * @example measurement.archived
             * @enum {string}
             */
            type: "authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled";
            /**
             * Format: date-time
             * @description When the fact was stored (the push received, the cancel confirmed).
             * @example 2022-12-29T02:06:01.000Z
             */
            storedAt: string;
            /**
             * @description The person it is about, when known; null for `endpoint.disabled`.
             * @example 15312341234
             */
            phone: string | null;
            /**
             * @description Increases by one with every event stored for this person (a measurement's owner not known yet: for its Viatom account; `endpoint.disabled`: for that endpoint): order a person's events by it.
             * @example 3
             */
            sequence: number;
            /**
             * @description camelCase. `authorization.granted`: phone, accountId, memberId, authorizedAt. `authorization.revoked`: phone, revokedBy (`user` or `integrator`), revokedAt. `measurement.archived`: measurementId, pushId, phone, accountId, memberId, deviceSn, dataType, measuredAt, receivedAt, data (Viatom's measurement as received), kind, context, observations ([{ name, value, unit }] in UCUM units), attachments, finding (as in the measurements list); once the measurement has been deleted (after a withdrawal, or an erasure), only `{ measurementId, deleted: true }`. `person.data-deleted`: phone, accountId, revokedAt, measurementsDeleted, payloadsDeleted, measurementsKeptForSharedAccount. `endpoint.disabled`: endpointId, reason (`gone` or `failing`), failingSince (null when no failure came before a `gone`).
             * @example {
             *       "phone": "15312341234",
             *       "accountId": "OA==|MTEx",
             *       "memberId": "OA==|LTE=",
             *       "authorizedAt": "2022-12-29T02:00:00.000Z"
             *     }
             */
            data: Record<string, never>;
            /**
             * @description The feed position just after this event: `after=` to go on from it.
             * @example ZXY6MDo0Mg
             */
            cursor: string;
        };
        EventFeedPageDto: {
            items: components["schemas"]["EventDto"][];
            /**
             * @description Where the next read starts (`after=`); never null: when nothing is new it is the cursor you gave.
             * @example ZXY6MDo0Mg
             */
            nextCursor: string;
        };
        CreateWebhookEndpointDto: {
            /**
             * @description Where events are POSTed: an absolute http or https URL (https in production), at most 2048 characters, without user:password@. Loopback, private, link-local and other non-public targets are refused unless DELIVERY_ALLOW_PRIVATE_TARGETS allows them (it does outside production), and so is a host that does not resolve. Redirects are not followed.
             * @example https://clinic.example.com/webhooks/health-bridge
             */
            url: string;
            /**
             * @description The event types sent to this endpoint, at least one, of authorization.granted, authorization.revoked, measurement.archived, person.data-deleted, endpoint.disabled. Omit it for every type, those added later included.
             * @example [
             *       "measurement.archived",
             *       "authorization.revoked"
             *     ]
             */
            eventTypes?: ("authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled")[];
            /**
             * @description A note for the people who manage it.
             * @example Clinic A: measurements
             */
            description?: string;
        };
        CreatedWebhookEndpointDto: {
            /**
             * @description `ep_` and a ULID.
             * @example ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2
             */
            id: string;
            /**
             * @description Where events are POSTed, as the service calls it (normalized: host in lower case, path percent-encoded).
             * @example https://clinic.example.com/webhooks/health-bridge
             */
            url: string;
            /** @example Clinic A: measurements */
            description: string | null;
            /**
             * @description The event types sent to it; `null`: every type.
             * @example [
             *       "measurement.archived"
             *     ]
             */
            eventTypes: ("authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled")[] | null;
            /**
             * @description Events are sent to it only while it is on.
             * @example true
             */
            enabled: boolean;
            /**
             * @description Why it is off: `manual` (turned off through this API), `gone` (it answered 410), `failing` (every attempt failed for DELIVERY_DISABLE_AFTER); `null` while on.
             * @example null
             * @enum {string|null}
             */
            disabledReason: "manual" | "gone" | "failing" | null;
            /**
             * Format: date-time
             * @description Since when every attempt to it has failed; `null` when the last one succeeded.
             * @example null
             */
            failingSince: string | null;
            /**
             * Format: date-time
             * @example 2025-01-06T09:30:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description When its settings or secret last changed.
             * @example 2025-01-06T09:30:00.000Z
             */
            updatedAt: string;
            /**
             * @description The Standard Webhooks signing secret (`whsec_` and base64): give it to the receiver, which verifies `webhook-signature` with it (e.g. with the `standardwebhooks` library). Keep it secret. Shown here and by `GET …/{id}/secret`.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Hk6Ez9s8Dk=
             */
            secret: string;
        };
        WebhookEndpointDto: {
            /**
             * @description `ep_` and a ULID.
             * @example ep_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2
             */
            id: string;
            /**
             * @description Where events are POSTed, as the service calls it (normalized: host in lower case, path percent-encoded).
             * @example https://clinic.example.com/webhooks/health-bridge
             */
            url: string;
            /** @example Clinic A: measurements */
            description: string | null;
            /**
             * @description The event types sent to it; `null`: every type.
             * @example [
             *       "measurement.archived"
             *     ]
             */
            eventTypes: ("authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled")[] | null;
            /**
             * @description Events are sent to it only while it is on.
             * @example true
             */
            enabled: boolean;
            /**
             * @description Why it is off: `manual` (turned off through this API), `gone` (it answered 410), `failing` (every attempt failed for DELIVERY_DISABLE_AFTER); `null` while on.
             * @example null
             * @enum {string|null}
             */
            disabledReason: "manual" | "gone" | "failing" | null;
            /**
             * Format: date-time
             * @description Since when every attempt to it has failed; `null` when the last one succeeded.
             * @example null
             */
            failingSince: string | null;
            /**
             * Format: date-time
             * @example 2025-01-06T09:30:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description When its settings or secret last changed.
             * @example 2025-01-06T09:30:00.000Z
             */
            updatedAt: string;
        };
        WebhookEndpointPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["WebhookEndpointDto"][];
        };
        UpdateWebhookEndpointDto: {
            /**
             * @description Where events are POSTed: an absolute http or https URL (https in production), at most 2048 characters, without user:password@. Loopback, private, link-local and other non-public targets are refused unless DELIVERY_ALLOW_PRIVATE_TARGETS allows them (it does outside production), and so is a host that does not resolve. Redirects are not followed.
             * @example https://clinic.example.com/webhooks/health-bridge
             */
            url?: string;
            /**
             * @description The event types sent to this endpoint, at least one, of authorization.granted, authorization.revoked, measurement.archived, person.data-deleted, endpoint.disabled. `null`: every type.
             * @example [
             *       "measurement.archived"
             *     ]
             */
            eventTypes?: ("authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled")[] | null;
            /**
             * @description `false` turns the endpoint off (`disabledReason` `manual`, unless the service had turned it off already); `true` turns it back on and forgets why it was off and since when it failed.
             * @example true
             */
            enabled?: boolean;
            /**
             * @description A note for the people who manage it; `null` removes it.
             * @example Clinic A: measurements
             */
            description?: string | null;
        };
        WebhookEndpointSecretDto: {
            /**
             * @description The Standard Webhooks signing secret (`whsec_` and base64): give it to the receiver, which verifies `webhook-signature` with it (e.g. with the `standardwebhooks` library). Keep it secret.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Hk6Ez9s8Dk=
             */
            secret: string;
            /**
             * @description The secret before the last rotation, while it still signs beside the current one; `null` otherwise.
             * @example null
             */
            previousSecret: string | null;
            /**
             * Format: date-time
             * @description When the previous secret stops signing.
             * @example null
             */
            previousSecretExpiresAt: string | null;
        };
        RotatedWebhookSecretDto: {
            /**
             * @description The new secret: it signs every delivery from now on. The Standard Webhooks signing secret (`whsec_` and base64): give it to the receiver, which verifies `webhook-signature` with it (e.g. with the `standardwebhooks` library). Keep it secret.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Hk6Ez9s8Dk=
             */
            secret: string;
            /**
             * Format: date-time
             * @description Until then the old secret signs beside the new one (DELIVERY_SECRET_OVERLAP after the rotation): each delivery carries both signatures.
             * @example 2025-01-07T09:30:00.000Z
             */
            previousSecretExpiresAt: string;
        };
        WebhookAttemptDto: {
            /**
             * Format: date-time
             * @description When the attempt started (its `webhook-timestamp`).
             * @example 2025-01-08T10:00:00.125Z
             */
            at: string;
            /**
             * @description The receiver's HTTP status; null when no answer came (refused, reset, timed out).
             * @example 503
             */
            statusCode: number | null;
            /**
             * @description How long the attempt took, in milliseconds.
             * @example 184
             */
            durationMs: number;
            /**
             * @description Why it failed, in the service's own words, never the receiver's answer (it may echo the event): `HTTP 500`, `HTTP 302 (redirects are not followed: change the endpoint URL)`, `connection refused`, `connection reset by the receiver`, `host … not found (DNS)`, `TLS error: …`, `no complete answer within 15000 ms`…; at most 1024 characters. null on success.
             * @example HTTP 503
             */
            error: string | null;
        };
        WebhookDeliveryDto: {
            /**
             * @description The event's id: the `webhook-id` of every attempt.
             * @example evt_01JFQ8Z3K4W5X6Y7Z8A9B0C1D2
             */
            eventId: string;
            /**
             * @example measurement.archived
             * @enum {string}
             */
            eventType: "authorization.granted" | "authorization.revoked" | "measurement.archived" | "person.data-deleted" | "endpoint.disabled";
            /**
             * @description `pending`: waiting for its next attempt (or in one); `delivered`: the receiver answered 2xx; `failed`: every attempt of the retry schedule failed (a retry or a recover sends it again).
             * @example pending
             * @enum {string}
             */
            status: "pending" | "delivered" | "failed";
            /** @description Every attempt, oldest first. */
            attempts: components["schemas"]["WebhookAttemptDto"][];
            /**
             * Format: date-time
             * @description When it is tried next (pending only). While the endpoint is disabled it keeps the time the schedule set and is not tried; once the endpoint is enabled, a time passed meanwhile is tried at once.
             * @example 2025-01-08T10:05:00.125Z
             */
            nextAttemptAt: string | null;
            /**
             * Format: date-time
             * @description When the event was given to this endpoint.
             * @example 2025-01-08T10:00:00.101Z
             */
            createdAt: string;
        };
        WebhookDeliveryPageDto: {
            /**
             * @description Cursor of the next page; null on the last page.
             * @example aWQ6MTIz
             */
            nextCursor: string | null;
            items: components["schemas"]["WebhookDeliveryDto"][];
        };
        RecoverWebhookDeliveriesDto: {
            /**
             * Format: date-time
             * @description Every failed delivery created at or after this instant is sent again: ISO 8601 with a zone, e.g. `2025-01-08T00:00:00Z`.
             * @example 2025-01-08T00:00:00Z
             */
            since: string;
        };
        RecoveredWebhookDeliveriesDto: {
            /**
             * @description How many failed deliveries are due again now.
             * @example 12
             */
            queued: number;
        };
        HealthDto: {
            /**
             * @description `down` (503) when the database does not answer; `degraded` (200) when calls to Viatom are paused (circuit not closed).
             * @example ok
             * @enum {string}
             */
            status: "ok" | "degraded" | "down";
            /**
             * @example up
             * @enum {string}
             */
            database: "up" | "down";
            /**
             * @description The circuit breaker in front of Viatom: `closed` (calls go through), `open` (calls fail fast with 503 after repeated failures), `half-open` (the cool-down is over: the next call is a trial).
             * @example closed
             * @enum {string}
             */
            viatomCircuit: "closed" | "open" | "half-open";
        };
        LivenessDto: {
            /**
             * @example ok
             * @enum {string}
             */
            status: "ok";
        };
        ReadinessDto: {
            /**
             * @description `not-ready` (503) while the database does not answer or a migration is pending; Viatom never makes this service not ready.
             * @example ready
             * @enum {string}
             */
            status: "ready" | "not-ready";
            /**
             * @example up
             * @enum {string}
             */
            database: "up" | "down";
            /**
             * @description `pending` while the database lacks a migration this build needs (with DATABASE_MIGRATIONS_RUN=false, until the release step has run them); `unknown` while the database is down and they were never seen applied.
             * @example applied
             * @enum {string}
             */
            migrations: "applied" | "pending" | "unknown";
            /**
             * @description Viatom's circuit breaker, shown for information.
             * @example closed
             * @enum {string}
             */
            viatomCircuit: "closed" | "open" | "half-open";
        };
        PushMinuteCountDto: {
            /**
             * Format: date-time
             * @description The start of the minute (UTC) the pushes were received in.
             * @example 2026-12-02T08:41:00.000Z
             */
            minute: string;
            /**
             * @description The push type: `1` measurement, `2` authorized, `3` cancelled; `other` for any other type (or none).
             * @example 1
             * @enum {string}
             */
            type: "1" | "2" | "3" | "other";
            /**
             * @description What became of them, as the push log says (applied, stale, archived, ignored).
             * @example archived
             * @enum {string}
             */
            outcome: "applied" | "stale" | "archived" | "ignored";
            /**
             * @description How many (never 0: a minute, type and outcome without a push is left out). A repeated delivery of a push is not counted again.
             * @example 12
             */
            count: number;
        };
        ViatomFailureDto: {
            /**
             * Format: date-time
             * @description When the call ended, its retries included.
             * @example 2026-12-02T08:40:12.345Z
             */
            at: string;
            /**
             * @description Viatom's endpoint, by the last segment of its path.
             * @example cancel
             * @enum {string}
             */
            endpoint: "jump_path" | "cancel";
            /**
             * @description The HTTP status of the last attempt's answer (Viatom's, or a gateway's before it); null when none came (refused, reset, timed out).
             * @example 503
             */
            status: number | null;
            /**
             * @description How the call failed: `refused` (a non-zero code), `credentials-rejected`, `busy` (109999 after the retries), `timeout`, `connection-refused`, `connection-reset`, `network`, `http-status`, `invalid-json`, `invalid-envelope` or `answer-too-large`. Never what was sent (no phone, no credential).
             * @example http-status
             */
            error: string;
            /**
             * @description How long the call took, every attempt and backoff included, in milliseconds.
             * @example 2140
             */
            durationMs: number;
        };
        ViatomOverviewDto: {
            /**
             * @description The circuit breaker in front of Viatom now: `closed` (calls go through), `open` (calls fail fast after repeated failures), `half-open` (the next call is a trial).
             * @example closed
             * @enum {string}
             */
            circuit: "closed" | "open" | "half-open";
            /** @description The last 20 (at most) calls to Viatom this process made that failed, newest first, whatever the window; kept in memory (a restart, or another replica, has its own). Calls failed fast while the circuit was open are not among them: Viatom was not called. */
            recentFailures: components["schemas"]["ViatomFailureDto"][];
        };
        OutboxOverviewDto: {
            /**
             * @description Webhook deliveries waiting for an attempt (or in one), across every endpoint, enabled or not.
             * @example 3
             */
            pendingDeliveries: number;
            /**
             * @description Webhook deliveries given up after the last attempt of the retry schedule (until a retry or a recover), across every endpoint.
             * @example 1
             */
            failedDeliveries: number;
            /**
             * Format: date-time
             * @description When the first delivery still pending was made; null when none is pending.
             * @example 2026-12-02T08:39:58.101Z
             */
            oldestPendingAt: string | null;
        };
        DeliveriesOverviewDto: {
            /**
             * @description Webhook attempts made in the window that the receiver answered 2xx.
             * @example 57
             */
            succeeded: number;
            /**
             * @description Webhook attempts made in the window that failed: another status, or no answer (refused, reset, timed out).
             * @example 3
             */
            failed: number;
            /**
             * @description succeeded / (succeeded + failed); null when no attempt was made in the window.
             * @example 0.95
             */
            successRate: number | null;
        };
        OverviewDto: {
            /**
             * Format: date-time
             * @description The window's start: now less `hours`, down to the start of its minute.
             * @example 2026-12-02T02:41:00.000Z
             */
            from: string;
            /**
             * Format: date-time
             * @description The window's end: now.
             * @example 2026-12-02T08:41:27.512Z
             */
            to: string;
            /** @description The pushes received in the window (from `from` to `to`, both included), counted by minute, type and outcome; ordered by minute, then type, then outcome. */
            pushes: components["schemas"]["PushMinuteCountDto"][];
            /** @description Viatom's circuit breaker now, and the last calls to Viatom that failed (not limited to the window). */
            viatom: components["schemas"]["ViatomOverviewDto"];
            /** @description The webhook deliveries waiting and given up now (not limited to the window). */
            outbox: components["schemas"]["OutboxOverviewDto"];
            /** @description The webhook attempts made in the window, across every endpoint. */
            deliveries: components["schemas"]["DeliveriesOverviewDto"];
        };
        ProblemFieldErrorDto: {
            /** @example phone */
            field: string;
            /** @example phone must be a phone number: digits with an optional leading "+", 6 to 20 digits */
            message: string;
        };
        ProblemDto: {
            /**
             * @description Problem type: `about:blank` for plain HTTP errors, otherwise one of /problems/validation-error, /problems/viatom-refused, /problems/viatom-credentials-rejected, /problems/viatom-unavailable, /problems/viatom-busy, /problems/viatom-timeout, /problems/viatom-bad-answer, /problems/database-unavailable.
             * @example /problems/validation-error
             */
            type: string;
            /** @example Validation failed */
            title: string;
            /** @example 400 */
            status: number;
            /** @example phone must be a phone number: digits with an optional leading "+", 6 to 20 digits */
            detail: string;
            /** @description Validation errors, field by field. */
            errors?: components["schemas"]["ProblemFieldErrorDto"][];
            /**
             * @description Viatom's error code, when Viatom refused.
             * @example 101009
             */
            viatomCode?: number;
            /**
             * @description Viatom's error message, when Viatom refused.
             * @example no authorized user exists
             */
            viatomMessage?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    Authorizations_authUrl: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Optional: without a body (or with `{}`), the page is in VIATOM_LANGUAGE. */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AuthUrlRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthUrlResponseDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom refused the call (`viatomCode`, `viatomMessage`), rejected the credentials, or gave a bad answer. Nothing was changed. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom cannot be reached, stayed busy after retries (`viatomCode` 109999), or is paused after repeated failures (circuit open: Viatom not called); or the database cannot be reached. Try again after Retry-After seconds. Nothing was changed. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom did not answer in time. Nothing was changed. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Authorizations_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CancelAuthorizationDto"];
            };
        };
        responses: {
            /** @description The authorization, now revoked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthorizationDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom refused the call (`viatomCode`, `viatomMessage`), rejected the credentials, or gave a bad answer. Nothing was changed. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom cannot be reached, stayed busy after retries (`viatomCode` 109999), or is paused after repeated failures (circuit open: Viatom not called); or the database cannot be reached. Try again after Retry-After seconds. Nothing was changed. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom did not answer in time. Nothing was changed. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Authorizations_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
                /** @description Only authorizations in this status. */
                status?: "authorized" | "revoked";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthorizationPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Authorizations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`. */
                phone: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthorizationDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Webhooks_receive: {
        parameters: {
            query?: {
                /** @description The WEBHOOK_TOKEN, when configured (or send X-Webhook-Token). */
                token?: unknown;
            };
            header?: {
                /** @description The WEBHOOK_TOKEN, when configured (or use ?token=). */
                "X-Webhook-Token"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Stored (or already stored). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PushAckDto"];
                };
            };
            /** @description Not a valid push: `code` 20015 and `message` say what is wrong. Nothing was stored. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 20015,
                     *       "message": "invalid push: data.phone: required for type 2 and 3",
                     *       "reason": "",
                     *       "data": null
                     *     }
                     */
                    "application/json": components["schemas"]["PushAckDto"];
                };
            };
            /** @description A configured push check failed (source address, webhook token or signature): `message` says which. Nothing was stored. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 401,
                     *       "message": "push not accepted: the webhook token is missing or not valid",
                     *       "reason": "",
                     *       "data": null
                     *     }
                     */
                    "application/json": components["schemas"]["PushAckDto"];
                };
            };
            /** @description This address failed the push checks too often (RATE_LIMIT_PUSH_FAILURES_MAX), so its further failing pushes are answered 429 instead of 401 until the window ends (a push that passes its checks is never refused for it); or, only when RATE_LIMIT_PUSH_MAX is set, it sent more authenticated pushes than that. Send it again after Retry-After seconds. Nothing was stored. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 429,
                     *       "message": "Too many failed push checks from this address: at most 20 per 60 s. Try again in 42 s.",
                     *       "reason": "",
                     *       "data": null
                     *     }
                     */
                    "application/json": components["schemas"]["PushAckDto"];
                };
            };
            /** @description The push could not be stored (database unavailable): send it again later. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 503,
                     *       "message": "The database is unavailable. Try again later.",
                     *       "reason": "",
                     *       "data": null
                     *     }
                     */
                    "application/json": components["schemas"]["PushAckDto"];
                };
            };
        };
    };
    Pushes_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
                /** @description Only this push type: 1 measurement, 2 authorized, 3 cancelled. */
                type?: number;
                /** @description Only pushes about this phone, in any written form: `+86 153-1234-1234` finds `15312341234`. */
                phone?: string;
                /** @description Only pushes with this outcome. */
                outcome?: "applied" | "stale" | "archived" | "ignored";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PushPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Measurements_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
                /** @description Measurements of the account this phone authorized, in any written form: `+86 153-1234-1234` finds `15312341234`. */
                phone?: string;
                /** @description Only this kind: 1 temperature, 2 SpO2, 3 blood pressure, 4 glucose, 5 ECG, 6 heart rate, 7 sleep, 9 cholesterol, 10 weight, 15 fetal heart rate. */
                dataType?: number;
                /** @description Only this kind of measurement (the kind its `dataType` names). */
                kind?: "body-temperature" | "spo2" | "blood-pressure" | "blood-glucose" | "ecg" | "heart-rate" | "sleep" | "cholesterol" | "weight" | "fetal-heart-rate";
                /** @description Only measurements with this observation (e.g. `systolic`, `spo2`, `glucose`), within `min`/`max` when given. */
                observation?: string;
                /** @description With `observation`: its value at least this (inclusive), in the observation's UCUM unit. */
                min?: number;
                /** @description With `observation`: its value at most this (inclusive), in the observation's UCUM unit. */
                max?: number;
                /** @description Measured at or after this instant (inclusive): ISO 8601 with a zone, e.g. `2022-12-29T00:00:00Z` or `2022-12-29T08:00:00+08:00`. */
                from?: string;
                /** @description Measured before this instant (exclusive: a measurement at exactly `to` is not listed): ISO 8601 with a zone, e.g. `2022-12-30T00:00:00Z`; after `from`. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeasurementPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    People_consents: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`. */
                phone: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsentPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    People_export: {
        parameters: {
            query?: {
                /** @description `json`: this API's own document (everything held); `fhir`: an HL7 FHIR R4 `collection` Bundle of the Patient and their Observations, DocumentReferences and Devices. */
                format?: "json" | "fhir";
            };
            header?: never;
            path: {
                /** @description The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`. */
                phone: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The JSON document (`format=json`), or a FHIR Bundle (`format=fhir`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonExportDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    People_erase: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`. */
                phone: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PersonErasedDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Not found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The request conflicts with a change made meanwhile: `detail` says which. Nothing was changed. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom refused the call (`viatomCode`, `viatomMessage`), rejected the credentials, or gave a bad answer. Nothing was changed. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom cannot be reached, stayed busy after retries (`viatomCode` 109999), or is paused after repeated failures (circuit open: Viatom not called); or the database cannot be reached. Try again after Retry-After seconds. Nothing was changed. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Viatom did not answer in time. Nothing was changed. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Audit_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
                /** @description Only the reads of this person's data, e.g. `15312341234` (any written form of the phone). */
                phone?: string;
                /** @description At or after this instant: ISO 8601 with a zone. */
                from?: string;
                /** @description Before this instant: ISO 8601 with a zone. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Events_read: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description Where to go on from: the `nextCursor` of the previous read (or an event's `cursor`), as it was. Absent: from the oldest event kept. */
                after?: string;
                /** @description Only these types, comma-separated: `authorization.granted`, `authorization.revoked`, `measurement.archived`, `person.data-deleted`, `endpoint.disabled`. Absent: every type. */
                types?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventFeedPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhookEndpointDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWebhookEndpointDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateWebhookEndpointDto"];
            };
        };
        responses: {
            /** @description The endpoint as changed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_secret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointSecretDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookEndpoints_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RotatedWebhookSecretDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookDeliveries_list: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description The `nextCursor` of the previous page, as it was (e.g. `aWQ6MTIz`); absent for the first page. */
                cursor?: string;
                /** @description Only deliveries in this state. `pending`: waiting for its next attempt (or in one); `delivered`: the receiver answered 2xx; `failed`: every attempt of the retry schedule failed (a retry or a recover sends it again). */
                status?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryPageDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookDeliveries_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
                /** @description The event's id (`evt_` and a ULID), as in the delivery log. */
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The delivery, due now. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id, or the event was never one for it. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    WebhookDeliveries_recover: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The endpoint's id (`ep_` and a ULID). */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecoverWebhookDeliveriesDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveredWebhookDeliveriesDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description No webhook endpoint has this id. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
    Health_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthDto"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthDto"];
                };
            };
        };
    };
    Health_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LivenessDto"];
                };
            };
        };
    };
    Health_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadinessDto"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadinessDto"];
                };
            };
        };
    };
    Fhir_metadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A CapabilityStatement. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A Patient. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No such resource (`not-found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "not-found",
                     *           "diagnostics": "Patient/0123456789abcdef0123456789abcdef is not known."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_everything: {
        parameters: {
            query?: {
                _count?: number;
            };
            header?: never;
            path: {
                /** @description The pseudonymous patient id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A searchset Bundle. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A search parameter this server cannot read (issue code `invalid`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "invalid",
                     *           "diagnostics": "_count must be a whole number from 1 to 200 (got \"0\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No such resource (`not-found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "not-found",
                     *           "diagnostics": "Patient/0123456789abcdef0123456789abcdef is not known."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_searchObservations: {
        parameters: {
            query?: {
                _count?: number;
                date?: unknown[];
                code?: unknown;
                patient?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A searchset Bundle of Observations. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A search parameter this server cannot read (issue code `invalid`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "invalid",
                     *           "diagnostics": "_count must be a whole number from 1 to 200 (got \"0\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_observation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An Observation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No such resource (`not-found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "not-found",
                     *           "diagnostics": "Patient/0123456789abcdef0123456789abcdef is not known."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_device: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A Device. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No such resource (`not-found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "not-found",
                     *           "diagnostics": "Patient/0123456789abcdef0123456789abcdef is not known."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Fhir_documentReference: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A DocumentReference. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or a wrong X-API-Key (`security`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "security",
                     *           "diagnostics": "The X-API-Key header is missing."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description No such resource (`not-found`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "not-found",
                     *           "diagnostics": "Patient/0123456789abcdef0123456789abcdef is not known."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
            /** @description Too many requests (`throttled`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resourceType": "OperationOutcome",
                     *       "issue": [
                     *         {
                     *           "severity": "error",
                     *           "code": "throttled",
                     *           "diagnostics": "Too many requests: at most 600 per 60 s. Try again in 42 s."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    Overview_get: {
        parameters: {
            query?: {
                /** @description How far back the overview reaches, in whole hours from 1 to 72: from now less this many hours (down to the start of that minute) to now. Default 6. */
                hours?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OverviewDto"];
                };
            };
            /** @description The request is not valid: `detail` and `errors` say what is wrong. Nothing was changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description The X-API-Key header is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
            /** @description Over the rate limit of this API key (RATE_LIMIT_API_MAX per RATE_LIMIT_WINDOW_SECONDS): try again after Retry-After seconds. Nothing was changed. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDto"];
                };
            };
        };
    };
}
