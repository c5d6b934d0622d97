"""CRM adapters: HubSpot and Salesforce pushers over httpx, and where their tokens are kept."""
