"""Who is calling the API: sessions, API keys and OAuth2 tokens, and what their scopes allow."""
