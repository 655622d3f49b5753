import type { ListActivitiesQuery, SameKeys } from '../../contract/api-types.js';
import { PageQueryDto } from '../../common/page.query.js';

export class ListActivitiesQueryDto extends PageQueryDto implements ListActivitiesQuery {}

export const listActivitiesQueryMatchesContract: SameKeys<ListActivitiesQueryDto, ListActivitiesQuery> = true;
