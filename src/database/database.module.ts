import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { createDataSource } from './data-source.js';
import { Database } from './database.js';

const logger = new Logger('Database');

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<DataSource> => {
        const dataSource = await createDataSource(config);
        await dataSource.initialize();
        if (config.dbMigrate) {
          const applied = await dataSource.runMigrations({ transaction: 'each' });
          if (applied.length > 0) logger.log(`applied ${applied.length} migration(s) on ${config.databaseKind}`);
        }
        return dataSource;
      },
    },
    Database,
  ],
  exports: [DataSource, Database],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Runs once the HTTP server has closed, so after the requests in flight have been answered. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.dataSource.destroy();
    logger.log('database connections closed');
  }
}
