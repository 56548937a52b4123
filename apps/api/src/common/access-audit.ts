import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mergeMap, type Observable } from 'rxjs';
import { AccessAuditService, AuthorizationService } from '@health-bridge/health-archive';
import { normalizePhone } from '@health-bridge/viatom-protocol';

/** Whom an answer is about, by what is at hand: phones, Viatom account ids, FHIR patient ids. */
export interface AuditSubjects {
  /** In any written form (a number too, as a push's data may hold one); what is no phone is skipped. */
  phones?: ReadonlyArray<unknown>;
  accountIds?: ReadonlyArray<string | null | undefined>;
  fhirPatientIds?: ReadonlyArray<string | null | undefined>;
}

type SubjectsOf = (request: FastifyRequest, body: any) => AuditSubjects;

const AUDITED = 'health-bridge:audited';

/**
 * Marks a route whose answer reveals people's data: before the answer goes out, one access-audit
 * row per person it names or shows (`subjects` reads them from the request and the answer). An
 * answer that cannot be recorded is not given (the error answers instead). A refused request
 * (4xx) revealed nothing and is not recorded.
 *
 * The interceptor is the route's own, not a global one: a route that reveals nobody (a push from
 * Viatom, the health check) then runs no interceptor at all, which spares every such request
 * Nest's observable chain around the handler.
 */
export const Audited = (subjects: SubjectsOf): MethodDecorator => applyDecorators(SetMetadata(AUDITED, subjects), UseInterceptors(AccessAuditInterceptor));

/** The `Patient/<id>` references in a FHIR resource or Bundle: whom it is about. */
export function fhirSubjects(body: unknown): string[] {
  const ids: string[] = [];
  const visit = (resource: any) => {
    if (!resource || typeof resource !== 'object') return;
    if (resource.resourceType === 'Patient' && typeof resource.id === 'string') ids.push(resource.id);
    const reference = resource.subject?.reference;
    if (typeof reference === 'string' && reference.startsWith('Patient/')) ids.push(reference.slice('Patient/'.length));
    if (Array.isArray(resource.entry)) for (const entry of resource.entry) visit(entry?.resource);
  };
  visit(body);
  return ids;
}

@Injectable()
export class AccessAuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AccessAuditService,
    private readonly authorizations: AuthorizationService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const subjectsOf = this.reflector.get<SubjectsOf | undefined>(AUDITED, context.getHandler());
    if (!subjectsOf) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap(async (body) => {
        const phones = await this.phonesOf(subjectsOf(request, body));
        await this.audit.record({
          apiKey: request.apiKeyName ?? 'unknown',
          method: request.method,
          route: request.routeOptions?.url ?? 'unknown',
          requestId: request.id ?? null,
          status: reply.statusCode,
          phones,
        });
        return body;
      }),
    );
  }

  /** The people the subjects name, as phones: an account's owners, a FHIR patient's person. */
  private async phonesOf(subjects: AuditSubjects): Promise<string[]> {
    const phones = new Set<string>();
    // As written in a path or a query (any form), or as stored (canonical): read by the phone rule.
    for (const phone of subjects.phones ?? []) {
      const canonical = normalizePhone(phone);
      if (canonical) phones.add(canonical);
    }
    for (const accountId of new Set(subjects.accountIds ?? [])) {
      if (accountId) for (const owner of await this.authorizations.ownersOfAccount(accountId)) phones.add(owner.phone);
    }
    for (const id of new Set(subjects.fhirPatientIds ?? [])) {
      const person = id ? await this.authorizations.findByFhirPatientId(id) : null;
      if (person) phones.add(person.phone);
    }
    return [...phones];
  }
}
