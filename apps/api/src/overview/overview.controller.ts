import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/problem.dto';
import { DEFAULT_OVERVIEW_HOURS, OverviewDto, OverviewQueryDto } from './overview.dto';
import { OverviewService } from './overview.service';

/** The operator console's overview page: read-only, one answer gathered from the push log, the Viatom client and the deliveries. */
@ApiTags('overview')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('overview')
export class OverviewController {
  constructor(private readonly overviews: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: 'The last hours at a glance',
    description:
      'For the operator console: the pushes received by minute, type and outcome; the Viatom circuit and the last failed Viatom calls; the webhook deliveries waiting and given up; the webhook attempts of the window and their success rate. Shows no person: no phone, no data.',
  })
  @ApiOkResponse({ type: OverviewDto })
  @ApiProblems(400)
  async get(@Query() query: OverviewQueryDto): Promise<OverviewDto> {
    return OverviewDto.from(await this.overviews.overview(query.hours ?? DEFAULT_OVERVIEW_HOURS));
  }
}
