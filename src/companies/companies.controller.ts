import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import type { Company, CompanyPage } from '../contract/api-types.js';
import { CompaniesService } from './companies.service.js';
import { ListCompaniesQueryDto } from './dto/list-companies.query.js';

@Controller('companies')
export class CompaniesController {
  constructor(@Inject(CompaniesService) private readonly companies: CompaniesService) {}

  @Get()
  listCompanies(@Query() query: ListCompaniesQueryDto): Promise<CompanyPage> {
    return this.companies.listCompanies(query);
  }

  @Get(':crmId')
  getCompany(@Param('crmId', ParseIdPipe) crmId: string): Promise<Company> {
    return this.companies.getCompany(crmId);
  }
}
