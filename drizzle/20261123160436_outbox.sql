CREATE TABLE "auto_responses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"ticket_id" bigint,
	"kind" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "thread_index" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "agent_email" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "postponed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "auto_responses" ADD CONSTRAINT "auto_responses_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auto_responses_address_idx" ON "auto_responses" USING btree ("address","sent_at");--> statement-breakpoint
CREATE INDEX "auto_responses_ticket_idx" ON "auto_responses" USING btree ("ticket_id","sent_at");--> statement-breakpoint
CREATE INDEX "messages_outbox_idx" ON "messages" USING btree ("delivery_state","created_at") WHERE "messages"."delivery_state" in ('queued', 'sending');