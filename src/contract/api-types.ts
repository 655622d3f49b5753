// The only importer of generated/: named aliases for the contract's schemas, so that DTOs can
// `implements` them and the rest of the code never indexes `components['schemas']` itself.
import type { components, operations, paths } from '../generated/openapi.js';

type Schemas = components['schemas'];

export type ErrorCode = Schemas['ErrorCode'];
export type ErrorBody = Schemas['ErrorBody'];
export type HealthOk = Schemas['HealthOk'];
export type HealthUnavailable = Schemas['HealthUnavailable'];

export type ContactInput = Schemas['ContactInput'];
export type CreateContactsRequest = Schemas['CreateContactsRequest'];
export type ContactBatchResult = Schemas['ContactBatchResult'];
/** The answer of POST /contacts, 201 and 422 alike. */
export type CreateContactsResponse = ContactBatchResult;
export type ContactResult = Schemas['ContactResult'];
export type ContactResultStatus = Schemas['ContactResultStatus'];
export type ContactError = Schemas['ContactError'];
export type ContactErrorCode = Schemas['ContactErrorCode'];
export type Contact = Schemas['Contact'];
export type ContactPage = Schemas['ContactPage'];
export type ListContactsQuery = NonNullable<operations['listContacts']['parameters']['query']>;
export type LinkedCompanies = Schemas['LinkedCompanies'];
export type CompanyRef = Schemas['CompanyRef'];

export type CompanyInput = Schemas['CompanyInput'];
export type CreateCompaniesRequest = Schemas['CreateCompaniesRequest'];
export type CompanyBatchResult = Schemas['CompanyBatchResult'];
/** The answer of POST /companies, 201 and 422 alike. */
export type CreateCompaniesResponse = CompanyBatchResult;
export type CompanyResult = Schemas['CompanyResult'];
export type CompanyError = Schemas['CompanyError'];
export type CompanyErrorCode = Schemas['CompanyErrorCode'];
export type Company = Schemas['Company'];
export type CompanyPage = Schemas['CompanyPage'];
export type ListCompaniesQuery = NonNullable<operations['listCompanies']['parameters']['query']>;
export type LinkedContacts = Schemas['LinkedContacts'];
export type ContactRef = Schemas['ContactRef'];

export type CreateAssociationsRequest = Schemas['CreateAssociationsRequest'];
export type AssociationInput = Schemas['AssociationInput'];
export type AssociationsResult = Schemas['AssociationsResult'];
export type AssociationError = Schemas['AssociationError'];
export type AssociationErrorCode = Schemas['AssociationErrorCode'];
/** The query of the lists of linked records (GET /companies/{crmId}/contacts and its mirror). */
export type LinkedPageQuery = NonNullable<operations['listCompanyContacts']['parameters']['query']>;

export type User = Schemas['User'];
export type UserList = Schemas['UserList'];
export type UserDetail = Schemas['UserDetail'];
export type CreateUserRequest = Schemas['CreateUserRequest'];
export type UpdateUserRequest = Schemas['UpdateUserRequest'];

export type ActivityType = Schemas['ActivityType'];
export type ActivityDirection = Schemas['ActivityDirection'];
export type CreateActivityRequest = Schemas['CreateActivityRequest'];
export type Activity = Schemas['Activity'];
export type ActivityPage = Schemas['ActivityPage'];
export type ListActivitiesQuery = NonNullable<operations['listContactActivities']['parameters']['query']>;

export type CreateTaskRequest = Schemas['CreateTaskRequest'];
export type UpdateTaskRequest = Schemas['UpdateTaskRequest'];
export type Task = Schemas['Task'];
export type TaskList = Schemas['TaskList'];
export type TaskPage = Schemas['TaskPage'];
export type TaskIdsRequest = Schemas['TaskIdsRequest'];
export type CompleteTasksRequest = Schemas['CompleteTasksRequest'];
export type ListTasksQuery = NonNullable<operations['listTasks']['parameters']['query']>;

export type ApiPaths = paths;

/**
 * The documented keys of a schema that also takes undocumented ones (`additionalProperties: true`):
 * its index signature removed, so that a DTO can `implements` it and SameKeys can compare.
 */
export type DocumentedKeys<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * Compile-time check that a DTO class declares exactly the keys of its contract type, optional ones
 * included (`implements` alone lets a class forget an optional field). Use as
 * `const _check: SameKeys<CreateUserDto, CreateUserRequest> = true;`.
 */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { missingOrExtraKeys: [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] };
