CREATE TABLE "sla_notices" (
	"ticket_id" bigint NOT NULL,
	"metric" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_notices_ticket_id_metric_due_at_kind_target_pk" PRIMARY KEY("ticket_id","metric","due_at","kind","target")
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "last_activity_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "auto_close_warned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_responded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "waiting_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_elapsed_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_running_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_stopped" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "next_response_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sla_notices" ADD CONSTRAINT "sla_notices_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_first_response_due_idx" ON "tickets" USING btree ("first_response_due_at") WHERE "tickets"."first_response_due_at" is not null;--> statement-breakpoint
CREATE INDEX "tickets_next_response_due_idx" ON "tickets" USING btree ("next_response_due_at") WHERE "tickets"."next_response_due_at" is not null;--> statement-breakpoint
CREATE INDEX "tickets_resolution_due_idx" ON "tickets" USING btree ("resolution_due_at") WHERE "tickets"."resolution_due_at" is not null;--> statement-breakpoint
CREATE INDEX "tickets_idle_idx" ON "tickets" USING btree ("status","last_activity_at");--> statement-breakpoint
CREATE INDEX "tickets_postponed_idx" ON "tickets" USING btree ("postponed_until") WHERE "tickets"."status" = 'postponed';--> statement-breakpoint
-- Tickets from before the SLA clock: idle since their last update; the resolution clock runs for New/Open ones.
UPDATE "tickets" SET "last_activity_at" = "updated_at", "sla_running_since" = CASE WHEN "status" IN ('new', 'open') THEN "created_at" END, "sla_stopped" = "status" IN ('resolved', 'closed', 'spam');
