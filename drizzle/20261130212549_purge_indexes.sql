CREATE INDEX "attachments_sha256_idx" ON "attachments" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "events_message_idx" ON "events" USING btree ("message_id") WHERE "events"."message_id" is not null;--> statement-breakpoint
CREATE INDEX "participants_contact_idx" ON "participants" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "tickets_merged_into_idx" ON "tickets" USING btree ("merged_into_id") WHERE "tickets"."merged_into_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_linked_idx" ON "tickets" USING btree ("linked_ticket_id") WHERE "tickets"."linked_ticket_id" is not null;