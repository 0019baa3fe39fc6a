"""Custom actions of the self-referral assistant and the pure logic they call."""
