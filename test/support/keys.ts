/** Keys the test apps are configured with. */
export const INTEGRATION_KEY = 'test-integration-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
