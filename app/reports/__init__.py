"""Printed reports (PDF): the estimated rebate report and vendor statements."""
