import { IsBoolean, IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { SameKeys, UpdateUserRequest } from '../../contract/api-types.js';

export class UpdateUserDto implements UpdateUserRequest {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  /** `null` removes the email; absent leaves it. */
  @ValidateIf((dto: UpdateUserDto) => dto.email !== undefined && dto.email !== null)
  @IsEmail()
  @MaxLength(320)
  email?: string | null;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export const updateUserDtoMatchesContract: SameKeys<UpdateUserDto, UpdateUserRequest> = true;
