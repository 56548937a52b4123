import { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../database/dialect';
import type { DataProtection } from '../protection/data-protection';
import { dataProtectionOf } from '../protection/registry';
import { RowRewriter } from '../protection/row-rewriter';

/**
 * The webhook endpoints' signing secrets, sealed at rest like the archive's personal data
 * (AES-256-GCM under the current key of DATA_ENCRYPTION_KEYS, for the purpose
 * `webhook_endpoint.secret`): whoever reads the database, or a copy of it, cannot sign a webhook
 * that a receiver would trust. The secrets stored before are sealed here; the columns stay text.
 */
export class SealedWebhookSecrets1766600000000 implements MigrationInterface {
  name = 'SealedWebhookSecrets1766600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows = this.rewriter(queryRunner, `The migration ${this.name}, which encrypts the webhook secrets stored before it,`);
    const seal = (p: DataProtection, secret: string | null) => (secret === null ? null : p.sealUnlessSealed('webhook_endpoint.secret', secret));
    await rows.rewrite('webhook_endpoint', ['secret', 'previous_secret'], (p, r) => ({ secret: seal(p, r.secret), previous_secret: seal(p, r.previous_secret) }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const rows = this.rewriter(queryRunner, `Reverting the migration ${this.name}`);
    await rows.rewrite('webhook_endpoint', ['secret', 'previous_secret'], (p, r) => ({
      secret: p.openOrNull('webhook_endpoint.secret', r.secret),
      previous_secret: p.openOrNull('webhook_endpoint.secret', r.previous_secret),
    }));
  }

  private rewriter(queryRunner: QueryRunner, forWhat: string): RowRewriter {
    return new RowRewriter(queryRunner, dialectOf(queryRunner.connection) === 'postgres', () => dataProtectionOf(queryRunner.connection, forWhat));
  }
}
