import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import { customFieldsJson } from '../http/validation.js';
import type { Activity, ActivityPage } from '../contract/api-types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { ActivitiesService } from './activities.service.js';
import { CreateActivityDto } from './dto/create-activity.dto.js';
import { ListActivitiesQueryDto } from './dto/list-activities.query.js';

@Controller()
export class ActivitiesController {
  constructor(@Inject(ActivitiesService) private readonly activities: ActivitiesService) {}

  /** 201 when stored now, 200 when the same message (metadata.messageId) was stored before. */
  @Post('activities')
  @HttpCode(201)
  @Idempotent()
  async createActivity(@Body() body: CreateActivityDto, @Res({ passthrough: true }) res: Response): Promise<Activity> {
    const outcome = await this.activities.create(body, customFieldsJson(body));
    if (!outcome.created) res.status(200);
    return outcome.activity;
  }

  @Get('activities/:id')
  getActivity(@Param('id', ParseIdPipe) id: string): Promise<Activity> {
    return this.activities.get(id);
  }

  @Get('contacts/:crmId/activities')
  listContactActivities(@Param('crmId', ParseIdPipe) crmId: string, @Query() query: ListActivitiesQueryDto): Promise<ActivityPage> {
    return this.activities.list({ contactId: crmId }, query);
  }

  @Get('companies/:crmId/activities')
  listCompanyActivities(@Param('crmId', ParseIdPipe) crmId: string, @Query() query: ListActivitiesQueryDto): Promise<ActivityPage> {
    return this.activities.list({ companyId: crmId }, query);
  }
}
