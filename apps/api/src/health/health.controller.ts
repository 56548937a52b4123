import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ArchiveHealth } from '@health-bridge/health-archive';
import { ViatomClient, type ViatomCircuitState } from '@health-bridge/viatom-client';
import { PublicRoute } from '../common/api-key.guard';

class HealthDto {
  @ApiProperty({
    enum: ['ok', 'degraded', 'down'],
    example: 'ok',
    description: '`down` (503) when the database does not answer; `degraded` (200) when calls to Viatom are paused (circuit not closed).',
  })
  status!: 'ok' | 'degraded' | 'down';
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database!: 'up' | 'down';
  @ApiProperty({
    enum: ['closed', 'open', 'half-open'],
    example: 'closed',
    description:
      "The circuit breaker in front of Viatom: `closed` (calls go through), `open` (calls fail fast with 503 after repeated failures), `half-open` (the cool-down is over: the next call is a trial).",
  })
  viatomCircuit!: ViatomCircuitState;
}

class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

class ReadinessDto {
  @ApiProperty({
    enum: ['ready', 'not-ready'],
    example: 'ready',
    description: '`not-ready` (503) while the database does not answer or a migration is pending; Viatom never makes this service not ready.',
  })
  status!: 'ready' | 'not-ready';
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database!: 'up' | 'down';
  @ApiProperty({
    enum: ['applied', 'pending', 'unknown'],
    example: 'applied',
    description:
      '`pending` while the database lacks a migration this build needs (with DATABASE_MIGRATIONS_RUN=false, until the release step has run them); `unknown` while the database is down and they were never seen applied.',
  })
  migrations!: 'applied' | 'pending' | 'unknown';
  @ApiProperty({ enum: ['closed', 'open', 'half-open'], example: 'closed', description: "Viatom's circuit breaker, shown for information." })
  viatomCircuit!: ViatomCircuitState;
}

const PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly archive: ArchiveHealth,
    private readonly viatom: ViatomClient,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Health (liveness and readiness in one; see /health/live and /health/ready)',
    description: "200 when the database answers (`degraded` while Viatom's circuit is not closed: Viatom never makes this service down), 503 when it does not.",
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    examples: { 'database down': { summary: 'the database does not answer', value: { status: 'down', database: 'down', viatomCircuit: 'closed' } } },
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const up = await this.pingDatabase();
    const viatomCircuit = this.viatom.circuitState;
    if (!up) reply.status(503);
    return { status: !up ? 'down' : viatomCircuit === 'closed' ? 'ok' : 'degraded', database: up ? 'up' : 'down', viatomCircuit };
  }

  @Get('live')
  @ApiOperation({
    summary: 'Liveness',
    description: 'Always 200 while the process answers HTTP: nothing outside it (the database, Viatom) is checked, so an outage never gets the process restarted.',
  })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description:
      "200 when the database answers and every migration this build needs is applied; 503 otherwise (while the process stops, its port refuses connections). Viatom's circuit is shown but never makes it unready (pushes are still received while Viatom is down).",
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    examples: {
      'database down': { summary: 'the database does not answer', value: { status: 'not-ready', database: 'down', migrations: 'applied', viatomCircuit: 'closed' } },
      'migration pending': { summary: 'a migration is not applied yet', value: { status: 'not-ready', database: 'up', migrations: 'pending', viatomCircuit: 'closed' } },
    },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const up = await this.pingDatabase();
    const migrations = up ? await this.migrationState() : this.archive.migrationsSeenApplied ? 'applied' : 'unknown';
    const ready = up && migrations === 'applied';
    if (!ready) reply.status(503);
    return { status: ready ? 'ready' : 'not-ready', database: up ? 'up' : 'down', migrations, viatomCircuit: this.viatom.circuitState };
  }

  private async pingDatabase(): Promise<boolean> {
    try {
      await withTimeout(this.archive.ping());
      return true;
    } catch {
      return false;
    }
  }

  /** Whether this build's migrations are all applied (remembered once they are: see ArchiveHealth). */
  private async migrationState(): Promise<'applied' | 'pending' | 'unknown'> {
    try {
      const pending = await withTimeout(this.archive.pendingMigrations());
      return pending.length === 0 ? 'applied' : 'pending';
    } catch {
      return 'unknown';
    }
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('database check timed out')), PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
