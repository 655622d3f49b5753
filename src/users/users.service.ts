import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { CreateUserRequest, UpdateUserRequest, User, UserDetail } from '../contract/api-types.js';
import { DomainError } from '../errors/domain-error.js';
import { newId } from '../common/ids.js';
import { UserEntity } from './user.entity.js';
import { toUser, toUserDetail } from './user.mapper.js';
import { UsersRepository } from './users.repository.js';

/** The contract's bound on `GET /users` (UserList maxItems). */
export const USER_LIST_MAX = 1000;

@Injectable()
export class UsersService {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Enginy's owner list. With USERS_ENABLED=false, a 404 tells Enginy to turn owner selection off. */
  async listActive(): Promise<User[]> {
    if (!this.config.usersEnabled) throw new DomainError('not_found', 'Users are turned off on this service.');
    return (await this.users.listActive(USER_LIST_MAX)).map(toUser);
  }

  async get(id: string): Promise<UserDetail> {
    return toUserDetail(await this.find(id));
  }

  async create(request: CreateUserRequest): Promise<UserDetail> {
    const now = new Date();
    const user = Object.assign(new UserEntity(), {
      id: newId(),
      name: request.name,
      email: request.email ?? null,
      emailLower: request.email?.toLowerCase() ?? null,
      active: true,
      createdAt: now,
      updatedAt: now,
    });
    return toUserDetail(await this.users.save(user));
  }

  async update(id: string, change: UpdateUserRequest): Promise<UserDetail> {
    const user = await this.find(id);
    if (change.name !== undefined) user.name = change.name;
    if (change.email !== undefined) {
      user.email = change.email;
      user.emailLower = change.email?.toLowerCase() ?? null;
    }
    if (change.active !== undefined) user.active = change.active;
    user.updatedAt = new Date();
    return toUserDetail(await this.users.save(user));
  }

  private async find(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new DomainError('not_found', 'No user has this id.');
    return user;
  }
}
