import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
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

const PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly viatom: ViatomClient,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and readiness',
    description: "200 when the database answers (`degraded` while Viatom's circuit is not closed: Viatom never makes this service down), 503 when it does not.",
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const up = await this.pingDatabase();
    const viatomCircuit = this.viatom.circuitState;
    if (!up) reply.status(503);
    return { status: !up ? 'down' : viatomCircuit === 'closed' ? 'ok' : 'degraded', database: up ? 'up' : 'down', viatomCircuit };
  }

  private async pingDatabase(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS);
      });
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
