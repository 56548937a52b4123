import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthorizationService } from '@health-bridge/health-archive';
import { ApiProblems } from '../common/problem.dto';
import { ParsePhonePipe } from '../common/phone.pipe';
import { problem } from '../common/problem';
import {
  AuthorizationDto,
  AuthorizationListQueryDto,
  AuthorizationPageDto,
  AuthUrlRequestDto,
  AuthUrlResponseDto,
  CancelAuthorizationDto,
} from './authorization.dto';
import { Audited } from '../common/access-audit';

@ApiTags('authorizations')
@ApiSecurity('api-key')
@ApiProblems(401, 429)
@Controller('authorizations')
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationService) {}

  @Post('auth-url')
  @HttpCode(200)
  @ApiOperation({
    summary: "Get the URL of Viatom's consent page",
    description:
      'Asks Viatom for an authorization URL to show the user. When the user consents, Viatom pushes a type-2 message and the user appears here as `authorized`. The URL is returned byte for byte.',
  })
  @ApiBody({ type: AuthUrlRequestDto, required: false, description: 'Optional: without a body (or with `{}`), the page is in VIATOM_LANGUAGE.' })
  @ApiOkResponse({ type: AuthUrlResponseDto })
  @ApiProblems(400, 502, 503, 504)
  async authUrl(@Body() body: AuthUrlRequestDto): Promise<AuthUrlResponseDto> {
    return { jumpPath: await this.authorizations.requestAuthorizationUrl({ language: body.language }) };
  }

  @Post('cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: "Cancel a user's authorization",
    description:
      'Asks Viatom to cancel the authorization of this phone. Only when Viatom says yes is the authorization recorded as `revoked` by `integrator`; a refusal or an unreachable Viatom changes nothing.',
  })
  @ApiOkResponse({ type: AuthorizationDto, description: 'The authorization, now revoked.' })
  @ApiProblems(400, 502, 503, 504)
  @Audited((_, body: AuthorizationDto) => ({ phones: [body.phone] }))
  async cancel(@Body() body: CancelAuthorizationDto, @Req() request: FastifyRequest): Promise<AuthorizationDto> {
    return AuthorizationDto.from(await this.authorizations.cancel(body.phone, { requestId: request.id }));
  }

  @Get()
  @ApiOperation({ summary: 'List authorizations', description: 'Newest first, by cursor: pass `nextCursor` as `cursor` for the next page.' })
  @ApiOkResponse({ type: AuthorizationPageDto })
  @ApiProblems(400)
  @Audited((_, body: AuthorizationPageDto) => ({ phones: body.items.map((a) => a.phone) }))
  async list(@Query() query: AuthorizationListQueryDto): Promise<AuthorizationPageDto> {
    const page = await this.authorizations.list(query);
    return { items: page.items.map(AuthorizationDto.from), nextCursor: page.nextCursor };
  }

  @Get(':phone')
  @ApiOperation({ summary: "A phone's authorization" })
  @ApiParam({ name: 'phone', example: '15312341234', description: 'The phone, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`.' })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiProblems(400, 404)
  @Audited((_, body: AuthorizationDto) => ({ phones: [body.phone] }))
  async get(@Param('phone', ParsePhonePipe) phone: string): Promise<AuthorizationDto> {
    const authorization = await this.authorizations.findByPhone(phone);
    if (!authorization) throw new NotFoundException(problem(404, 'No authorization has been seen for this phone.'));
    return AuthorizationDto.from(authorization);
  }
}
