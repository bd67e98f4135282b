"""Stored files (附件): evidence of after-declarations and photos of inspection records, kept in the database."""
