import type { User, UserDetail } from '../contract/api-types.js';
import type { UserEntity } from './user.entity.js';

/** The owner as Enginy sees it: `email` left out when there is none. */
export function toUser(entity: UserEntity): User {
  return entity.email === null ? { id: entity.id, name: entity.name } : { id: entity.id, name: entity.name, email: entity.email };
}

export function toUserDetail(entity: UserEntity): UserDetail {
  return {
    id: entity.id,
    name: entity.name,
    email: entity.email,
    active: Boolean(entity.active),
    createdAt: new Date(entity.createdAt).toISOString(),
    updatedAt: new Date(entity.updatedAt).toISOString(),
  };
}
