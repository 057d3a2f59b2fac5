ALTER TABLE "auto_responses" ADD COLUMN "mailbox" text;--> statement-breakpoint
CREATE INDEX "auto_responses_mailbox_idx" ON "auto_responses" USING btree ("mailbox","sent_at");--> statement-breakpoint
CREATE INDEX "auto_responses_kind_idx" ON "auto_responses" USING btree ("kind","sent_at");