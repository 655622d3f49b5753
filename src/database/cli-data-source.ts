// For the TypeORM CLI (`npm run migration:run`): the service's DataSource, from the same environment.
import { loadConfig } from '../config/app-config.js';
import { createDataSource } from './data-source.js';

export default await createDataSource(loadConfig());
