import { Module } from '@nestjs/common';
import { ReferencesService } from './references.service.js';
import { ReferencesRepository } from './references.repository.js';

@Module({ providers: [ReferencesService, ReferencesRepository], exports: [ReferencesService] })
export class ReferencesModule {}
