"""One router per capability; each only validates, authorises and calls `core`."""
