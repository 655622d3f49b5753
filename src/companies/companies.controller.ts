import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import type { Company, CompanyPage, CreateCompaniesResponse } from '../contract/api-types.js';
import { CompaniesService } from './companies.service.js';
import { ListCompaniesQueryDto } from './dto/list-companies.query.js';

@Controller('companies')
export class CompaniesController {
  constructor(@Inject(CompaniesService) private readonly companies: CompaniesService) {}

  /** The body is checked item by item by the batch engine, so it is taken as it came (`unknown`). */
  @Post()
  @HttpCode(201)
  async createCompanies(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<CreateCompaniesResponse> {
    const outcome = await this.companies.createCompanies(body);
    if (!outcome.stored) res.status(422);
    return outcome.body;
  }

  @Get()
  listCompanies(@Query() query: ListCompaniesQueryDto): Promise<CompanyPage> {
    return this.companies.listCompanies(query);
  }

  @Get(':crmId')
  getCompany(@Param('crmId', ParseIdPipe) crmId: string): Promise<Company> {
    return this.companies.getCompany(crmId);
  }
}
