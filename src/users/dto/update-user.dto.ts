import { IsAscii, IsBoolean, IsEmail, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { SameKeys, UpdateUserRequest } from '../../contract/api-types.js';

/** Absent is "leave as is"; `null` is a value, and only `email` takes it (IsOptional would let null through). */
const present = (property: keyof UpdateUserDto) => ValidateIf((dto: UpdateUserDto) => dto[property] !== undefined);

export class UpdateUserDto implements UpdateUserRequest {
  @present('name')
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  /** `null` removes the email; absent leaves it. */
  @ValidateIf((dto: UpdateUserDto) => dto.email !== undefined && dto.email !== null)
  // An ASCII address: the contract says `format: email`, which generated clients check as ASCII.
  @IsAscii({ message: 'email must be an ASCII address' })
  @IsEmail({ allow_utf8_local_part: false })
  @MaxLength(320)
  email?: string | null;

  @present('active')
  @IsBoolean()
  active?: boolean;
}

export const updateUserDtoMatchesContract: SameKeys<UpdateUserDto, UpdateUserRequest> = true;
