ALTER TABLE "tickets" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "merged_into_id" bigint;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "satisfaction_asked_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "tickets_deleted_idx" ON "tickets" USING btree ("deleted_at") WHERE "tickets"."deleted_at" is not null;--> statement-breakpoint
CREATE INDEX "tickets_closed_idx" ON "tickets" USING btree ("closed_at") WHERE "tickets"."status" = 'closed';