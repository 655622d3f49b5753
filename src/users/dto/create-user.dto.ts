import { IsEmail, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { CreateUserRequest, SameKeys } from '../../contract/api-types.js';

export class CreateUserDto implements CreateUserRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  // Absent, or an address: `null` is not in the contract (IsOptional would let it through).
  @ValidateIf((dto: CreateUserDto) => dto.email !== undefined)
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export const createUserDtoMatchesContract: SameKeys<CreateUserDto, CreateUserRequest> = true;
