// Minute rows by service and time: an investigation reads the patterns and the log flow of the
// services that can explain its subject over the baseline and the window. The time index alone
// made it read every service's rows of those hours and drop most of them; the key indexes
// (service, pattern, minute) made it read all of a service's history.
export default `
CREATE INDEX pattern_minute_service_time ON pattern_minute (service, minute);
CREATE INDEX flow_minute_service_time ON flow_minute (service, minute);
`;
