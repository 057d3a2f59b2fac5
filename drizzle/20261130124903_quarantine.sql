CREATE TABLE "quarantine" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mailbox" text NOT NULL,
	"uid_validity" bigint NOT NULL,
	"uid" bigint NOT NULL,
	"size" integer NOT NULL,
	"raw" "bytea" NOT NULL,
	"raw_sha256" text NOT NULL,
	"error_code" text NOT NULL,
	"error_message" text NOT NULL,
	"attempts" integer NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replay_attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "message_id_full" text;--> statement-breakpoint
CREATE UNIQUE INDEX "quarantine_mailbox_uid_key" ON "quarantine" USING btree ("mailbox","uid_validity","uid");