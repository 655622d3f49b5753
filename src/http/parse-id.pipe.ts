import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { isUuid } from '../common/ids.js';

/** Ids in paths are UUIDs made by this service: anything else is a 400, not a lookup. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUuid(value)) throw new DomainError('bad_request', `${metadata.data ?? 'id'} must be a UUID.`);
    return value.toLowerCase();
  }
}
