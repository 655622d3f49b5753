import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ParseIdPipe } from '../http/parse-id.pipe.js';
import type { Contact, ContactPage, CreateContactsResponse } from '../contract/api-types.js';
import { ContactsService } from './contacts.service.js';
import { ListContactsQueryDto } from './dto/list-contacts.query.js';

@Controller('contacts')
export class ContactsController {
  constructor(@Inject(ContactsService) private readonly contacts: ContactsService) {}

  /** The body is checked item by item by the service, so it is taken as it came (`unknown`). */
  @Post()
  @HttpCode(201)
  async createContacts(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<CreateContactsResponse> {
    const outcome = await this.contacts.createContacts(body);
    if (!outcome.stored) res.status(422);
    return outcome.body;
  }

  @Get()
  listContacts(@Query() query: ListContactsQueryDto): Promise<ContactPage> {
    return this.contacts.listContacts(query);
  }

  @Get(':crmId')
  getContact(@Param('crmId', ParseIdPipe) crmId: string): Promise<Contact> {
    return this.contacts.getContact(crmId);
  }
}
