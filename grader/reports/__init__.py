"""What people read: ``text`` (terminal and Markdown), ``html`` (feedback pages and the class
page), ``exports`` (CSV, JSON, JUnit), ``gradescope`` (results.json).  Every string from a
submission is untrusted here."""
