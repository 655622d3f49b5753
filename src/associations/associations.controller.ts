import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PageQueryDto } from '../common/page.query.js';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import type { AssociationsResult, CompanyPage, ContactPage } from '../contract/api-types.js';
import { AssociationsService } from './associations.service.js';

@Controller()
export class AssociationsController {
  constructor(@Inject(AssociationsService) private readonly associations: AssociationsService) {}

  /** The body is checked pair by pair by the service, so it is taken as it came (`unknown`). */
  @Post('associations')
  @HttpCode(200)
  async createAssociations(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<AssociationsResult> {
    const outcome = await this.associations.createAssociations(body);
    if (!outcome.stored) res.status(422);
    return outcome.body;
  }

  @Get('contacts/:crmId/companies')
  listContactCompanies(@Param('crmId', ParseIdPipe) crmId: string, @Query() query: PageQueryDto): Promise<CompanyPage> {
    return this.associations.listCompaniesOf(crmId, query);
  }

  @Get('companies/:crmId/contacts')
  listCompanyContacts(@Param('crmId', ParseIdPipe) crmId: string, @Query() query: PageQueryDto): Promise<ContactPage> {
    return this.associations.listContactsOf(crmId, query);
  }
}
