"""Forum events: Local Community Planning Forum meetings, seminars, workshops and JOG
development sessions, with sign-ups, access needs, waiting lists, nominations, registers,
feedback and reports."""
