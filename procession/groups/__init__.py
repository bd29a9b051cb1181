"""Groups of members and guests: one name for several assignees."""
