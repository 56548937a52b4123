import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Authorization, AuthorizationStatus, RevokedBy } from '@health-bridge/health-archive';
import { VIATOM_LANGUAGES, type ViatomLanguage } from '@health-bridge/viatom-protocol';
import { IsPhone, PageDto, PageQueryDto } from '../common/dto';

export class AuthUrlRequestDto {
  @ApiProperty({
    required: false,
    enum: VIATOM_LANGUAGES,
    description: "Language of Viatom's consent page. Defaults to the configured VIATOM_LANGUAGE.",
    example: 'zh-CN',
  })
  @IsOptional()
  @IsIn(VIATOM_LANGUAGES, { message: `language must be one of ${VIATOM_LANGUAGES.join(', ')}` })
  language?: ViatomLanguage;
}

export class AuthUrlResponseDto {
  @ApiProperty({
    description:
      "URL of Viatom's consent page, exactly as Viatom sent it: open it in a browser or WebView. Do not re-encode it (its `sign` is base64 and may hold + / =).",
    example: 'https://open.viatomtech.com.cn/auth/#/?sign=SoR8T6T9zhecSR1qw+/==',
  })
  jumpPath!: string;
}

export class CancelAuthorizationDto {
  @ApiProperty({ description: 'Phone of the user whose authorization to cancel, in any written form: full-width digits are read as digits, spaces, dashes, dots, slashes and brackets are dropped, and so is +86, 0086 or 86 before a Chinese mobile number; what is left must be 6 to 20 digits with an optional leading +. So `+86 153-1234-1234` and `008615312341234` are `15312341234`.', example: '15312341234' })
  @IsPhone()
  phone!: string;
}

export class AuthorizationDto {
  @ApiProperty({ example: '15312341234' })
  phone!: string;

  @ApiProperty({ enum: AuthorizationStatus, example: AuthorizationStatus.Authorized })
  status!: AuthorizationStatus;

  @ApiProperty({ description: "Viatom's opaque account id, as pushed.", example: 'OA==|MTEx' })
  accountId!: string;

  @ApiProperty({ description: "Viatom's opaque member id, as pushed.", example: 'OA==|LTE=' })
  memberId!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the user authorized (Viatom source time, UTC).', example: '2022-12-29T08:33:40.000Z' })
  authorizedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the authorization ended (UTC).', example: null })
  revokedAt!: string | null;

  @ApiProperty({
    enum: RevokedBy,
    nullable: true,
    description: '`user`: the user cancelled on Viatom; `integrator`: cancelled through this API.',
    example: null,
  })
  revokedBy!: RevokedBy | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When this record last changed (UTC).', example: '2022-12-29T08:33:41.120Z' })
  updatedAt!: string;

  @ApiProperty({
    description: "The person's id in the FHIR API (`/fhir/Patient/{id}`): random and stable, never derived from the phone.",
    example: '3f9a1c2e8b7d4e6fa0c5b1d2e3f4a5b6',
  })
  fhirPatientId!: string;

  static from(a: Authorization): AuthorizationDto {
    return {
      phone: a.phone,
      status: a.status,
      accountId: a.accountId,
      memberId: a.memberId,
      authorizedAt: a.authorizedAt?.toISOString() ?? null,
      revokedAt: a.revokedAt?.toISOString() ?? null,
      revokedBy: a.revokedBy,
      updatedAt: a.updatedAt.toISOString(),
      fhirPatientId: a.fhirPatientId,
    };
  }
}

export class AuthorizationListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: AuthorizationStatus, description: 'Only authorizations in this status.' })
  @IsOptional()
  @IsIn(Object.values(AuthorizationStatus), { message: `status must be one of ${Object.values(AuthorizationStatus).join(', ')}` })
  status?: AuthorizationStatus;
}

export class AuthorizationPageDto extends PageDto {
  @ApiProperty({ type: [AuthorizationDto] })
  items!: AuthorizationDto[];
}
