"""The public portal: web pages for citizens and companies (no login)."""
