import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { CreateUserRequest, SameKeys } from '../../contract/api-types.js';

export class CreateUserDto implements CreateUserRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export const createUserDtoMatchesContract: SameKeys<CreateUserDto, CreateUserRequest> = true;
