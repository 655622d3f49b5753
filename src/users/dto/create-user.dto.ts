import { IsAscii, IsEmail, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { CreateUserRequest, SameKeys } from '../../contract/api-types.js';

export class CreateUserDto implements CreateUserRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  // Absent, or an address: `null` is not in the contract (IsOptional would let it through).
  @ValidateIf((dto: CreateUserDto) => dto.email !== undefined)
  // An ASCII address: the contract says `format: email`, which generated clients check as ASCII.
  @IsAscii({ message: 'email must be an ASCII address' })
  @IsEmail({ allow_utf8_local_part: false })
  @MaxLength(320)
  email?: string;
}

export const createUserDtoMatchesContract: SameKeys<CreateUserDto, CreateUserRequest> = true;
