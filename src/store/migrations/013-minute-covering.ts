// The pattern and log-flow minute rows an investigation reads, by service and time, from the
// index alone: the (service, minute) indexes of 010 also carry the columns the reads sum, so
// a vacuumed table is read as an index-only scan. A service's rows lie together in the index
// while in the table they are spread over every page of their minutes (rows are appended per
// flush, for every service at once), so the heap read touched most pages of the window.
export default `
CREATE INDEX pattern_minute_service_time_cover ON pattern_minute (service, minute) INCLUDE (pattern_key, count);
DROP INDEX pattern_minute_service_time;
CREATE INDEX flow_minute_service_time_cover ON flow_minute (service, minute) INCLUDE (from_key, to_key, count);
DROP INDEX flow_minute_service_time;
`;
