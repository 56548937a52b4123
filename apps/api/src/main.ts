import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module';
import { ConfigurationError, loadConfig } from './config/app-config';
import { configureApp, fastifyOptions, NEST_APP_OPTIONS } from './configure-app';
import { SWAGGER_PATH } from './swagger';

async function bootstrap(): Promise<void> {
  // A local .env file is read when present; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`health-bridge cannot start.\n${error.message}\nSee .env.example for every variable.`);
      process.exit(1);
    }
    throw error;
  }

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(fastifyOptions(config)), {
    ...NEST_APP_OPTIONS,
    bufferLogs: true, // until configureApp hands Nest's logger to pino
  });
  configureApp(app, config);
  await app.listen(config.port, config.host);

  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const logger = new Logger('Bootstrap');
  logger.log(`health-bridge listening on ${url} (database: ${config.database.url.startsWith('sqlite:') ? config.database.url : 'postgres'})`);
  if (config.swaggerEnabled) logger.log(`Swagger UI: ${url}/${SWAGGER_PATH}`);
  if (!config.webhookToken && config.pushAuth.ipAllowlist.length === 0 && !config.pushAuth.signature) {
    logger.warn('No push check is configured (WEBHOOK_TOKEN, WEBHOOK_IP_ALLOWLIST, WEBHOOK_SIGNATURE_SECRETS): anyone can post pushes. Refused with NODE_ENV=production.');
  }
}

void bootstrap();
