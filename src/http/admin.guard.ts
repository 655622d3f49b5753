import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error.js';

const ADMIN_ONLY = 'adminOnly';

/** Names the setting, so that whoever holds an integration key knows where admin rights come from. */
export const ADMIN_ONLY_MESSAGE = 'This action needs an admin key (one listed in ADMIN_API_KEYS); this key is an integration key.';

/** Marks an operator action: an integration key gets 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (!adminOnly) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (req.auth?.role !== 'admin') throw new DomainError('forbidden', ADMIN_ONLY_MESSAGE);
    return true;
  }
}
