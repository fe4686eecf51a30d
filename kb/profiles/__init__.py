"""Organisation profiles beyond the name: contact (a form, never the address), regions served,
materials and products offered, and certificates (a checked file or a registry link) with their
validity; a member's edit waits for a moderator before the public sees it. The wizard reads the
suppliers of a country and a material from here (`service.suppliers_serving`)."""
