import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { AdminOnly } from '../http/admin.guard.js';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import type { User, UserDetail } from '../contract/api-types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  listUsers(): Promise<User[]> {
    return this.users.listActive();
  }

  @Post()
  @AdminOnly()
  @HttpCode(201)
  @Idempotent()
  createUser(@Body() body: CreateUserDto): Promise<UserDetail> {
    return this.users.create(body);
  }

  @Get(':id')
  getUser(@Param('id', ParseIdPipe) id: string): Promise<UserDetail> {
    return this.users.get(id);
  }

  @Patch(':id')
  @AdminOnly()
  updateUser(@Param('id', ParseIdPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDetail> {
    return this.users.update(id, body);
  }
}
